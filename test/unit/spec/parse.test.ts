import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError, type FieldIssue } from '../../../shared/errors';
import { parseSpec, validateSpec } from '../../../shared/spec/parse';

const fixtures = join(__dirname, '..', '..', 'fixtures', 'specs');
const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8');

/** Parses and returns the UserInputError's issues (fails the test if parsing succeeds). */
function issuesOf(text: string, options: Parameters<typeof parseSpec>[1] = {}): FieldIssue[] {
  try {
    parseSpec(text, options);
  } catch (err) {
    assert.ok(err instanceof UserInputError, `expected a UserInputError, got ${String(err)}`);
    assert.equal(err.code, 'InvalidPipelineSpec');
    return err.issues;
  }
  assert.fail('the spec was accepted');
}

const minimal = (steps: string, head = '') => `name: p\n${head}steps:\n${steps}`;

test('the DESIGN example parses, with defaults filled and `number` read as float', () => {
  const spec = parseSpec(fixture('valid/diabetes.yaml'), { filename: 'diabetes.yaml' });
  assert.equal(spec.name, 'diabetes-training');
  assert.deepEqual(spec.parameters.reg_rate, { type: 'float', default: 0.01 });
  assert.deepEqual(spec.inputs.raw_data, { datastore: 'workspaceblobstore', path: 'diabetes/' });
  assert.deepEqual(spec.data.prepped_data, {});
  const [prepare, train] = spec.steps;
  assert.equal(prepare.type, 'python');
  assert.equal(prepare.allow_reuse, true);
  assert.equal(train.retries, 1);
  assert.deepEqual(train.run_after, []);
  assert.ok(train.type === 'python');
  assert.deepEqual(train.outputs, []);
  assert.equal(train.allow_reuse, true);
});

test('YAML and JSON forms of the same spec parse to the same value', () => {
  const fromYaml = parseSpec(fixture('valid/diabetes.yaml'));
  const fromJson = parseSpec(fixture('valid/diabetes.json'), { filename: 'diabetes.json' });
  assert.deepEqual(fromJson, fromYaml);
});

test('a parsed spec is itself a valid spec that parses to the same value', () => {
  for (const name of ['valid/diabetes.yaml', 'valid/all-step-types.yaml', 'valid/diamond.yaml']) {
    const once = parseSpec(fixture(name));
    assert.deepEqual(validateSpec(JSON.parse(JSON.stringify(once))), once, name);
  }
});

test('every step type and parameter type is accepted', () => {
  const spec = parseSpec(fixture('valid/all-step-types.yaml'));
  assert.deepEqual(
    spec.steps.map((s) => s.type),
    ['data_transfer', 'command', 'parallel', 'databricks', 'data_transfer'],
  );
  assert.deepEqual(
    Object.values(spec.parameters).map((p) => p.type),
    ['string', 'int', 'float', 'bool', 'datapath', 'string'],
  );
  const score = spec.steps[2];
  assert.ok(score.type === 'parallel');
  assert.equal(score.run_max_try, 3);
  assert.equal(score.append_row_file_name, 'parallel_run_step.txt');
  assert.deepEqual(score.arguments, ['--epochs', '${{parameters.epochs}}', '--verbose', '${{parameters.verbose}}']);
  assert.deepEqual(spec.data.notes, {}, '`notes:` with no value is an empty data entry');
});

test('arguments written as YAML numbers and booleans reach the program as text', () => {
  const spec = parseSpec(minimal('  - { name: a, type: command, command: echo, arguments: [1, 0.5, true, x] }\n'));
  assert.ok(spec.steps[0].type === 'command');
  assert.deepEqual(spec.steps[0].arguments, ['1', '0.5', 'true', 'x']);
});

test('type: adla is rejected with the retirement date and what to use instead', () => {
  assert.deepEqual(issuesOf(fixture('invalid/adla.yaml')), [
    {
      path: 'steps[0].type',
      message:
        'Azure Data Lake Analytics (AdlaStep) was retired on 2024-02-29 and cannot run; port the U-SQL job to a ' +
        '"databricks" step (Spark), or run your own tool from a "command" step',
      line: 4,
      column: 11,
    },
  ]);
});

test('a cycle is spelled out', () => {
  assert.deepEqual(issuesOf(fixture('invalid/cycle.yaml')), [
    { path: 'steps[0]', message: 'the steps form a cycle: a → b → a', line: 6, column: 5 },
  ]);
  const three = minimal(
    [
      '  - { name: a, type: command, command: "true", run_after: [c] }',
      '  - { name: b, type: command, command: "true", run_after: [a] }',
      '  - { name: c, type: command, command: "true", run_after: [b] }',
      '',
    ].join('\n'),
  );
  assert.equal(issuesOf(three)[0].message, 'the steps form a cycle: a → b → c → a');
});

test('field errors name the field, the line and the column, sorted by position', () => {
  assert.deepEqual(issuesOf(fixture('invalid/many-problems.yaml')), [
    {
      path: 'parameters.reg_rate.default',
      message: 'default "0.1" is not a float (a number such as 0.1)',
      line: 3,
      column: 37,
    },
    {
      path: 'parameters.epochs.default',
      message: 'default 1.5 is not an int (a whole number such as 3)',
      line: 4,
      column: 33,
    },
    {
      path: 'inputs.raw.path',
      message: '"../outside" contains ".."; paths may not leave their folder',
      line: 6,
      column: 16,
    },
    {
      path: 'steps[0].source_directory',
      message: '"/abs/scripts" is absolute; write it as a relative path',
      line: 13,
      column: 23,
    },
    { path: 'steps[1].scirpt', message: 'unknown field "scirpt" (did you mean "script"?)', line: 20, column: 5 },
  ]);
});

test('reference errors: unknown names, unlisted data, two producers, no producer, duplicates', () => {
  assert.deepEqual(issuesOf(fixture('invalid/dangling.yaml')), [
    {
      path: 'data.orphan',
      message: 'no step produces "orphan"; list it in the outputs of exactly one step',
      line: 7,
      column: 3,
    },
    {
      path: 'data.model',
      message: 'no step produces "model"; list it in the outputs of exactly one step',
      line: 9,
      column: 3,
    },
    {
      path: 'steps[0].arguments[1]',
      message: '${{inputs.raw}}: add "raw" to this step\'s inputs',
      line: 14,
      column: 23,
    },
    {
      path: 'steps[0].arguments[5]',
      message: '${{parameters.reg}}: unknown parameter "reg"; declared parameters: reg_rate',
      line: 14,
      column: 76,
    },
    {
      path: 'steps[1].arguments[0]',
      message: '${{data.model}}: list "model" in this step\'s inputs or outputs',
      line: 19,
      column: 17,
    },
    {
      path: 'steps[1].arguments[1]',
      message: '${{inputs.raw}}: add "raw" to this step\'s inputs',
      line: 19,
      column: 36,
    },
    {
      path: 'steps[1].inputs[0]',
      message: 'step "train" reads "shared", which it produces itself; a step cannot read its own output',
      line: 20,
      column: 14,
    },
    {
      path: 'steps[1].inputs[1]',
      message: 'unknown input "missing"; declare it under inputs: (a datastore path) or data: (written by a step)',
      line: 20,
      column: 22,
    },
    {
      path: 'steps[1].outputs[0]',
      message: '"shared" is produced by both "prep" and "train"; a data entry has exactly one producing step',
      line: 21,
      column: 15,
    },
    {
      path: 'steps[1].run_after[0]',
      message: 'unknown step "prpe" (did you mean "prep"?)',
      line: 22,
      column: 17,
    },
    { path: 'steps[2].name', message: 'duplicate step name "prep" (also steps[0])', line: 23, column: 11 },
  ]);
});

test('the error message lists every problem under a header naming the file', () => {
  try {
    parseSpec(fixture('invalid/cycle.yaml'), { filename: 'cycle.yaml' });
    assert.fail('accepted');
  } catch (err) {
    assert.ok(err instanceof UserInputError);
    assert.equal(
      err.message,
      'Invalid pipeline spec cycle.yaml (1 problem):\n  steps[0] (line 6, column 5): the steps form a cycle: a → b → a',
    );
    assert.equal(err.status, 400);
    assert.deepEqual(err.toBody().error.details, { issues: err.issues });
  }
});

test('missing fields are located at the mapping they are missing from', () => {
  const issues = issuesOf(minimal('  - name: a\n    type: python\n'));
  assert.deepEqual(issues, [
    { path: 'steps[0].script', message: 'missing required field "script"', line: 3, column: 5 },
  ]);
  assert.deepEqual(issuesOf('name: p\n'), [
    { path: 'steps', message: 'missing required field "steps"', line: 1, column: 1 },
  ]);
  assert.deepEqual(issuesOf(minimal('  - name: a\n')), [
    {
      path: 'steps[0].type',
      message: 'missing required field "type"; use one of python, command, parallel, data_transfer, databricks',
      line: 3,
      column: 5,
    },
  ]);
});

test('wrong types, bad names, unknown step types and out-of-range numbers', () => {
  const issues = issuesOf(
    [
      'name: 1pipeline',
      'steps:',
      '  - name: a',
      '    type: pyhton',
      '  - name: b',
      '    type: command',
      '    command: echo',
      '    arguments: hello',
      '    retries: 11',
      '    timeout_minutes: 0',
      '    compute: GPU',
      '    allow_reuse: "no"',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    issues.map((i) => [i.path, i.message, i.line, i.column]),
    [
      [
        'name',
        '"1pipeline" must start with a letter and contain only letters, digits, "_" and "-" (at most 64 characters)',
        1,
        7,
      ],
      [
        'steps[0].type',
        'unknown step type "pyhton" (did you mean "python"?); use one of python, command, parallel, data_transfer, databricks',
        4,
        11,
      ],
      ['steps[1].arguments', 'expected a list, got the string "hello"', 8, 16],
      ['steps[1].retries', 'must be at most 10, not the number 11', 9, 14],
      ['steps[1].timeout_minutes', 'must be greater than 0, not the number 0', 10, 22],
      [
        'steps[1].compute',
        '"GPU" must be a compute target name: 1–40 lower-case letters, digits and single hyphens',
        11,
        14,
      ],
      ['steps[1].allow_reuse', 'expected true or false, got the string "no"', 12, 18],
    ],
  );
});

test('unknown fields list what is allowed when nothing is close', () => {
  const [issue] = issuesOf('name: p\nowner: me\nsteps:\n  - { name: a, type: command, command: ls }\n');
  assert.deepEqual(issue, {
    path: 'owner',
    message: 'unknown field "owner"; allowed here: $schema, name, description, parameters, inputs, data, steps',
    line: 2,
    column: 1,
  });
});

test('a command with spaces is rejected: there is no shell', () => {
  const [issue] = issuesOf(minimal('  - { name: a, type: command, command: "python3 x.py" }\n'));
  assert.equal(issue.path, 'steps[0].command');
  assert.equal(issue.message, 'is the executable only (no shell); put its arguments in arguments: [...]');
});

test('the executable cannot come from an expression', () => {
  const [issue] = issuesOf(minimal('  - { name: a, type: command, command: "${{parameters.tool}}" }\n'));
  assert.equal(issue.message, 'cannot contain ${{...}} expressions; the executable is fixed, pass values in arguments');
});

test('YAML anchors and merge keys share settings between steps', () => {
  const spec = parseSpec(
    [
      'name: p',
      'steps:',
      '  - &base { name: a, type: command, command: ls, compute: gpu, retries: 2 }',
      '  - { <<: *base, name: b }',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    spec.steps.map((s) => [s.name, s.type === 'command' && s.compute, s.retries]),
    [
      ['a', 'gpu', 2],
      ['b', 'gpu', 2],
    ],
  );
});

test('bad names in mappings are located at the key', () => {
  const issues = issuesOf(minimal('  - { name: a, type: command, command: ls }\n', 'data:\n  bad.name: {}\n'));
  assert.deepEqual(issues, [
    {
      path: 'data["bad.name"]',
      message:
        'name "bad.name" must start with a letter and contain only letters, digits, "_" and "-" (at most 64 characters)',
      line: 3,
      column: 3,
    },
  ]);
});

test('reuse_max_age must be an ISO 8601 duration', () => {
  const [issue] = issuesOf(minimal('  - { name: a, type: command, command: ls, reuse_max_age: 7d }\n'));
  assert.equal(issue.path, 'steps[0].reuse_max_age');
  assert.equal(issue.message, '"7d" is not an ISO 8601 duration; write e.g. P7D, PT12H or P1M');
  assert.doesNotThrow(() => parseSpec(minimal('  - { name: a, type: command, command: ls, reuse_max_age: PT12H }\n')));
});

test('env names and values', () => {
  const [issue] = issuesOf(minimal('  - { name: a, type: command, command: ls, env: { 1BAD: x } }\n'));
  assert.equal(issue.path, 'steps[0].env["1BAD"]');
  assert.match(issue.message, /^name "1BAD" must be an environment variable name/);
  const [ref] = issuesOf(minimal('  - { name: a, type: command, command: ls, env: { X: "${{parameters.nope}}" } }\n'));
  assert.equal(ref.path, 'steps[0].env.X');
  assert.equal(ref.message, '${{parameters.nope}}: unknown parameter "nope"; no parameters are declared');
});

test('expressions: malformed, wrong kind, inputs used as parameters', () => {
  const head = 'inputs:\n  raw: { path: r/ }\ndata:\n  out: {}\n';
  const issues = issuesOf(
    minimal(
      '  - name: a\n    type: command\n    command: ls\n    inputs: [raw]\n    outputs: [out]\n' +
        '    arguments: ["${{secrets.x}}", "${{inputs.raw", "${{parameters.raw}}", "${{data.raw}}", "${{outputs.raw}}", "${{inputs.out}}"]\n',
      head,
    ),
  );
  assert.deepEqual(
    issues.map((i) => `${i.path}: ${i.message}`),
    [
      'steps[0].arguments[0]: "${{secrets.x}}" is not a known expression; write ${{parameters.NAME}}, ${{inputs.NAME}}, ${{data.NAME}} or ${{outputs.NAME}}',
      'steps[0].arguments[1]: "${{inputs.raw" has a "${{" without its closing "}}"',
      'steps[0].arguments[2]: ${{parameters.raw}}: "raw" is a data path, not a value; add "raw" to this step\'s inputs and write ${{inputs.raw}}',
      'steps[0].arguments[3]: ${{data.raw}}: unknown data "raw"; "raw" is an input, write ${{inputs.raw}}',
      'steps[0].arguments[4]: ${{outputs.raw}}: unknown data "raw"',
      'steps[0].arguments[5]: ${{inputs.out}}: add "out" to this step\'s inputs',
    ],
  );
});

test('outputs must be data entries; inputs and parameters share one namespace', () => {
  const issues = issuesOf(
    minimal(
      '  - { name: a, type: command, command: ls, outputs: [raw, p] }\n',
      'parameters:\n  p: { type: int, default: 1 }\n  raw: { type: string, default: x }\ninputs:\n  raw: { path: r/ }\n',
    ),
  );
  assert.deepEqual(
    issues.map((i) => `${i.path}: ${i.message}`),
    [
      'inputs.raw: "raw" is also declared under parameters; an input is already a datapath parameter under its own name, so rename one of them',
      'steps[0].outputs[0]: "raw" is a datastore input; a step can only write data entries (declare one under data:)',
      'steps[0].outputs[1]: "p" is a parameter; a step can only write data entries (declare one under data:)',
    ],
  );
});

test('a data entry produced by a parallel step output and read through a datapath parameter', () => {
  const spec = parseSpec(fixture('valid/all-step-types.yaml'));
  assert.deepEqual(spec.parameters.scoring_data.default, { datastore: 'scoring', path: 'incoming/' });
});

test('databricks steps need exactly one task and one cluster', () => {
  const issues = issuesOf(
    minimal('  - { name: d, type: databricks, notebook_path: /x, python_script_path: "dbfs:/y.py" }\n'),
  );
  assert.deepEqual(
    issues.map((i) => `${i.path}: ${i.message}`),
    [
      'steps[0]: needs exactly one of notebook_path, python_script_path, python_script_name, main_class_name (found notebook_path, python_script_path)',
      'steps[0]: needs exactly one of existing_cluster_id, new_cluster',
    ],
  );
});

test('syntax errors: YAML, duplicate keys, JSON with its line and column, empty text', () => {
  const yaml = issuesOf('name: p\nsteps: [\n');
  assert.equal(yaml[0].path, '');
  assert.match(yaml[0].message, /^YAML syntax error: /);
  assert.equal(yaml[0].line, 3);

  const dup = issuesOf('name: p\nname: q\nsteps: []\n');
  assert.equal(dup[0].message, 'YAML syntax error: Map keys must be unique');
  assert.deepEqual([dup[0].line, dup[0].column], [2, 1]);

  const json = issuesOf('{\n  "name": "p",\n  "steps": [,]\n}\n', { filename: 'p.json' });
  assert.equal(json.length, 1);
  assert.match(json[0].message, /^JSON syntax error: /);
  assert.deepEqual([json[0].line, json[0].column], [3, 13]);

  const jsonDup = issuesOf('{"name": "p", "name": "q", "steps": []}', { format: 'json' });
  assert.equal(jsonDup[0].message, 'Map keys must be unique');

  assert.deepEqual(issuesOf(''), [{ path: '', message: 'the spec is empty; it needs at least name and steps' }]);
  assert.deepEqual(issuesOf('- a\n- b\n'), [
    { path: '', message: 'expected a mapping with name and steps at the top level, got a list', line: 1, column: 1 },
  ]);
});

test('YAML-only syntax is rejected in a .json file', () => {
  const [issue] = issuesOf('name: p\nsteps: []\n', { filename: 'pipeline.json' });
  assert.match(issue.message, /^JSON syntax error: /);
});

test('validateSpec checks a value without text positions (API bodies)', () => {
  assert.throws(
    () => validateSpec({ name: 'p', steps: [{ name: 'a', type: 'command', command: 'ls', run_after: ['zz'] }] }),
    (err: unknown) =>
      err instanceof UserInputError &&
      err.message ===
        'Invalid pipeline spec (1 problem):\n  steps[0].run_after[0]: unknown step "zz"; declared steps: a',
  );
});
