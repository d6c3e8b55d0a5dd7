/** Builds steps that run test/fixtures/pipelines/probe/probe.py (see its docstring for the flags). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './stack';

export const PROBE_SOURCES = { probe: join(FIXTURES, 'probe') };

export interface ProbeStepOptions {
  inputs?: string[];
  outputs?: string[];
  run_after?: string[];
  timeout_minutes?: number;
  retries?: number;
}

export function probeStep(name: string, flags: string[] = [], o: ProbeStepOptions = {}) {
  return {
    name,
    type: 'python',
    source_directory: 'probe',
    script: 'probe.py',
    arguments: [
      '--scratch',
      '${{parameters.scratch}}',
      '--name',
      name,
      ...flags,
      ...(o.outputs?.length ? ['--out', `\${{data.${o.outputs[0]}}}`] : []),
    ],
    inputs: o.inputs ?? [],
    outputs: o.outputs ?? [],
    ...(o.run_after ? { run_after: o.run_after } : {}),
    ...(o.timeout_minutes !== undefined ? { timeout_minutes: o.timeout_minutes } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
  };
}

/** Lets a step started with `--release` go on. */
export function release(scratch: string, name: string): void {
  writeFileSync(join(scratch, `${name}.release`), '');
}

export function started(scratch: string, name: string): boolean {
  return existsSync(join(scratch, `${name}.started`));
}

/** The pids a `--tree` step recorded (itself, a child, a middle process and its child), once it has. */
export function treePids(scratch: string, name: string): number[] | undefined {
  const file = join(scratch, `${name}.pids`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(' ').map(Number) : undefined;
}
