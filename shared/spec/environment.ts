import { z } from 'zod';

/**
 * A python step's environment (Azure ML v1's `Environment` with its `CondaDependencies`), as the Python package
 * records it from a step's `runconfig`. Locally a step runs in the worker's interpreter; the worker checks that each
 * declared package can be imported there before the step starts (worker/environmentCheck.ts). The environment is
 * part of the step's reuse key, as in Azure ML.
 */
const Requirement = z
  .string()
  .min(1)
  .max(500)
  .refine((s) => !/[\n\r\0]/.test(s), { error: 'must be one line' });

export const StepEnvironment = z
  .strictObject({
    name: z.string().min(1).max(255).meta({ description: "The environment's name (Environment(name))" }),
    version: z.string().max(64).optional().meta({ description: 'Its registered version, when it has one' }),
    python: z.string().max(64).optional().meta({ description: 'The Python version it asks for, e.g. 3.10' }),
    pip: z.array(Requirement).max(500).default([]).meta({ description: 'pip requirements, e.g. scikit-learn==1.3' }),
    conda: z.array(Requirement).max(500).default([]).meta({ description: 'conda packages, e.g. numpy' }),
  })
  .meta({ description: "The step's environment (recorded; locally its packages must be importable by the worker)" });
export type StepEnvironment = z.infer<typeof StepEnvironment>;
