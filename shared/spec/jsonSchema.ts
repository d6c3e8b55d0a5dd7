import { z } from 'zod';
import { PipelineSpec } from './schema';

/**
 * The JSON Schema of what users write (the input side: defaults are optional, `number` is a parameter type), for
 * editors (`$schema` / yaml-language-server) and for the OpenAPI document. Generated from the same zod schema the
 * parser uses, so the two cannot drift. Cross-field rules (references, producers, cycles) are not expressible in
 * JSON Schema and are checked by the parser only.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PipelineSpec, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
