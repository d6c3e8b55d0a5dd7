import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schema } from '../../../cli/commands/schema';
import { CliUsageError } from '../../../cli/errors';
import { pipelineJsonSchema } from '../../../shared/spec/jsonSchema';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('the JSON Schema describes the input side of the spec', () => {
  const s = pipelineJsonSchema() as Json;
  assert.equal(s.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(s.title, 'Sluice pipeline spec');
  assert.deepEqual(s.required, ['name', 'steps']);
  assert.equal(s.additionalProperties, false);
  assert.equal(s.properties.name.pattern, '^[A-Za-z][A-Za-z0-9_-]{0,63}$');
  const stepTypes = s.properties.steps.items.oneOf.map((o: Json) => o.properties.type.const);
  assert.deepEqual(stepTypes, ['python', 'command', 'parallel', 'data_transfer', 'databricks']);
  const python = s.properties.steps.items.oneOf[0];
  assert.deepEqual(python.required.sort(), ['name', 'script', 'type']);
  assert.equal(python.additionalProperties, false);
  assert.equal(python.properties.allow_reuse.default, true);
  const paramType = s.properties.parameters.additionalProperties.properties.type;
  assert.deepEqual(paramType.enum, ['string', 'int', 'float', 'number', 'bool', 'datapath']);
  assert.ok(!JSON.stringify(s).includes('"adla"'), 'adla is not offered');
});

test('sluice schema prints the schema; --help explains; arguments are a usage error', async () => {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  process.stdout.write = ((chunk: string) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  console.log = (...args: unknown[]) => printed.push(args.join(' '));
  try {
    assert.equal(await schema([]), 0);
    assert.deepEqual(JSON.parse(printed.join('')), pipelineJsonSchema());
    printed.length = 0;
    assert.equal(await schema(['--help']), 0);
    assert.match(printed.join(''), /^Usage: sluice schema/);
  } finally {
    process.stdout.write = write;
    console.log = log;
  }
  await assert.rejects(
    schema(['extra']),
    (err: unknown) => err instanceof CliUsageError && /takes no arguments/.test(err.message),
  );
});
