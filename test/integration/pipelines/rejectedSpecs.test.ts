import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, startStack, type Stack } from './stack';

/**
 * Every class of invalid spec is refused by `POST /api/experiments/{e}/runs` with 400 and the location of the
 * offending field (a path inside the spec; line and column too when the spec was sent as YAML text), before anything
 * is recorded or run.
 */

interface Expected {
  path: string;
  message: RegExp;
  line?: number;
  column?: number;
}

const command = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'command',
  command: 'true',
  ...extra,
});

const yamlFixture = (name: string) => readFileSync(join(FIXTURES, 'invalid', name), 'utf8');

const CASES: { name: string; pipeline: unknown; issues: Expected[] }[] = [
  {
    name: 'a cycle',
    pipeline: {
      name: 'cyclic',
      data: { x: {}, y: {} },
      steps: [command('a', { inputs: ['y'], outputs: ['x'] }), command('b', { inputs: ['x'], outputs: ['y'] })],
    },
    issues: [{ path: 'steps[0]', message: /^the steps form a cycle: a → b → a$/ }],
  },
  {
    name: 'a cycle through run_after',
    pipeline: { name: 'cyclic', steps: [command('a', { run_after: ['b'] }), command('b', { run_after: ['a'] })] },
    issues: [{ path: 'steps[0]', message: /cycle: a → b → a/ }],
  },
  {
    name: 'an unknown input',
    pipeline: { name: 'refs', steps: [command('a', { inputs: ['missing'] })] },
    issues: [{ path: 'steps[0].inputs[0]', message: /^unknown input "missing"/ }],
  },
  {
    name: 'an unknown data entry in arguments',
    pipeline: {
      name: 'refs',
      data: { prepped: {} },
      steps: [command('a', { outputs: ['prepped'], arguments: ['${{data.preped}}'] })],
    },
    issues: [{ path: 'steps[0].arguments[0]', message: /unknown data "preped".*did you mean "prepped"/ }],
  },
  {
    name: 'an unknown parameter (YAML, with line and column)',
    pipeline: yamlFixture('unknown-parameter.yaml'),
    issues: [
      {
        path: 'steps[0].arguments[1]',
        message: /^\$\{\{parameters\.rate\}\}: unknown parameter "rate"/,
        line: 8,
        column: 24,
      },
    ],
  },
  {
    name: 'an unknown step in run_after',
    pipeline: { name: 'refs', steps: [command('prep'), command('train', { run_after: ['prpe'] })] },
    issues: [{ path: 'steps[1].run_after[0]', message: /^unknown step "prpe"/ }],
  },
  {
    name: 'data that no step produces',
    pipeline: { name: 'producers', data: { orphan: {} }, steps: [command('a')] },
    issues: [{ path: 'data.orphan', message: /^no step produces "orphan"/ }],
  },
  {
    name: 'data with two producers',
    pipeline: {
      name: 'producers',
      data: { shared: {} },
      steps: [command('a', { outputs: ['shared'] }), command('b', { outputs: ['shared'] })],
    },
    issues: [{ path: 'steps[1].outputs[0]', message: /produced by both "a" and "b"/ }],
  },
  {
    name: 'an unknown field in a step',
    pipeline: { name: 'fields', steps: [command('a', { scirpt: 'x.py' })] },
    issues: [{ path: 'steps[0].scirpt', message: /^unknown field "scirpt"/ }],
  },
  {
    name: 'an unknown top-level field',
    pipeline: { name: 'fields', paramters: {}, steps: [command('a')] },
    issues: [{ path: 'paramters', message: /^unknown field "paramters"/ }],
  },
  {
    name: 'a bad step name',
    pipeline: { name: 'names', steps: [command('1st step')] },
    issues: [{ path: 'steps[0].name', message: /letter/ }],
  },
  {
    name: 'a bad data name',
    pipeline: { name: 'names', data: { 'my data': {} }, steps: [command('a', { outputs: ['my data'] })] },
    issues: [
      { path: 'data["my data"]', message: /^name "my data" must start with a letter/ },
      { path: 'steps[0].outputs[0]', message: /^"my data" must start with a letter/ },
    ],
  },
  {
    name: 'an absolute source_directory',
    pipeline: { name: 'paths', steps: [{ name: 'a', type: 'python', source_directory: '/etc', script: 'x.py' }] },
    issues: [{ path: 'steps[0].source_directory', message: /absolute/ }],
  },
  {
    name: 'a script path with ..',
    pipeline: { name: 'paths', steps: [{ name: 'a', type: 'python', script: '../x.py' }] },
    issues: [{ path: 'steps[0].script', message: /\.\./ }],
  },
  {
    name: 'an input path with ..',
    pipeline: {
      name: 'paths',
      inputs: { raw: { datastore: 'workspaceblobstore', path: 'data/../../secrets' } },
      steps: [command('a', { inputs: ['raw'] })],
    },
    issues: [{ path: 'inputs.raw.path', message: /\.\./ }],
  },
  {
    name: 'an int parameter with a fractional default',
    pipeline: { name: 'types', parameters: { epochs: { type: 'int', default: 1.5 } }, steps: [command('a')] },
    issues: [{ path: 'parameters.epochs.default', message: /^default 1\.5 is not an int/ }],
  },
  {
    name: 'a float parameter with a string default',
    pipeline: { name: 'types', parameters: { rate: { type: 'float', default: '0.1' } }, steps: [command('a')] },
    issues: [{ path: 'parameters.rate.default', message: /^default "0\.1" is not a float/ }],
  },
  {
    name: 'type: adla',
    pipeline: yamlFixture('adla.yaml'),
    issues: [
      {
        path: 'steps[0].type',
        message: /Azure Data Lake Analytics \(AdlaStep\) was retired on 2024-02-29.*databricks.*command/,
        line: 4,
        column: 11,
      },
    ],
  },
];

describe('rejected specs through POST /api/experiments/{e}/runs', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.stop();
  });

  for (const c of CASES) {
    test(`400 for ${c.name}`, async () => {
      const experiment = `rejected-${Math.random().toString(36).slice(2, 10)}`;
      const res = await stack.submitRaw(c.pipeline, {}, experiment);
      const text = await res.text();
      assert.equal(res.status, 400, text);
      const body = JSON.parse(text) as {
        error: { code: string; message: string; details: { issues: (Expected & { message: string })[] } };
      };
      assert.equal(body.error.code, 'InvalidPipelineSpec');
      const issues = body.error.details.issues;
      assert.equal(issues.length, c.issues.length, JSON.stringify(issues));
      c.issues.forEach((want, i) => {
        assert.equal(issues[i].path, want.path, JSON.stringify(issues[i]));
        assert.match(issues[i].message, want.message);
        if (want.line !== undefined) assert.equal(issues[i].line, want.line);
        if (want.column !== undefined) assert.equal(issues[i].column, want.column);
        assert.ok(body.error.message.includes(`${want.path}`), 'the message names the field too');
      });
      // Nothing was recorded for a refused submit.
      const listed = await stack.call(`runs?experiment=${experiment}`, { token: stack.readToken });
      assert.deepEqual(((await listed.json()) as { value: unknown[] }).value, []);
    });
  }
});
