import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../../shared/spec/parse';
import type { PipelineSpec } from '../../../shared/spec/schema';

export function fixtureSpec(name: string): PipelineSpec {
  return parseSpec(readFileSync(join(__dirname, '..', '..', 'fixtures', 'specs', name), 'utf8'), { filename: name });
}
