import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '../../../shared/canonicalJson';
import { explainReuse } from '../../../shared/reuse/explain';
import { resolveParameters } from '../../../shared/engine/parameters';
import { buildRunPlan } from '../../../shared/engine/plan';
import {
  datastoreFingerprint,
  reuseKey,
  reuseKeyComponents,
  type BlobInfo,
  type ReuseKeyComponents,
} from '../../../shared/reuse/key';
import { parseSpec } from '../../../shared/spec/parse';
import { fixtureSpec } from '../engine/helpers';

const spec = fixtureSpec('valid/diabetes.yaml');

const blobs: BlobInfo[] = [
  { name: 'diabetes/part-1.csv', size: 100, md5: 'AAA=', etag: '"0x1"' },
  { name: 'diabetes/part-2.csv', size: 200, etag: '"0x2"' },
];

const snapshot = {
  id: 'snap-1',
  files: [
    { name: 'prep.py', hash: 'p1' },
    { name: 'train.py', hash: 't1' },
  ],
};

interface Variant {
  runId?: string;
  parameters?: Record<string, unknown>;
  blobs?: BlobInfo[];
  prepped?: string;
  snapshot?: { id: string; files?: { name: string; hash: string }[] };
  specText?: string;
}

/** Key components of both steps of the diabetes pipeline for one run. */
function components(v: Variant = {}): Record<'prepare' | 'train', ReuseKeyComponents> {
  const s = v.specText ? parseSpec(v.specText) : spec;
  const plan = buildRunPlan(s, {
    runId: v.runId ?? 'run-1',
    defaultCompute: 'cpu',
    parameters: resolveParameters(s, { parameters: v.parameters ?? {} }),
  });
  const b = v.blobs ?? blobs;
  const raw = { kind: 'datastore' as const, datastore: 'workspaceblobstore', path: 'diabetes/', blobs: b };
  return {
    prepare: reuseKeyComponents(plan.steps.prepare, {
      snapshot: v.snapshot ?? snapshot,
      inputs: { raw_data: { ...raw, fingerprint: datastoreFingerprint('diabetes/', b) } },
    }),
    train: reuseKeyComponents(plan.steps.train, {
      snapshot: v.snapshot ?? snapshot,
      inputs: { prepped_data: { kind: 'data', producer: 'prepare', fingerprint: v.prepped ?? 'fp-1' } },
    }),
  };
}

const allow = { allowReuse: true };

test('the key is stable across runs and ignores explanation-only detail', () => {
  const a = components({ runId: 'run-1' });
  const b = components({ runId: 'run-2' });
  assert.equal(reuseKey(a.prepare), reuseKey(b.prepare), 'the run id (and so output paths) is not in the key');
  assert.match(reuseKey(a.prepare), /^[0-9a-f]{64}$/);
  const withoutDetail = {
    ...a.prepare,
    snapshot: { id: 'snap-1' },
    inputs: { raw_data: { ...a.prepare.inputs.raw_data, blobs: undefined } },
  };
  assert.equal(reuseKey(withoutDetail as ReuseKeyComponents), reuseKey(a.prepare));
  assert.equal(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] }), '{"a":[1,{"c":"x"}],"b":1}');
});

test('a parameter only enters the keys of the steps that use it', () => {
  const a = components({ parameters: { reg_rate: 0.01 } });
  const b = components({ parameters: { reg_rate: 0.1 } });
  assert.equal(reuseKey(a.prepare), reuseKey(b.prepare));
  assert.notEqual(reuseKey(a.train), reuseKey(b.train));
  assert.deepEqual(explainReuse(b.prepare, a.prepare, allow), { reuse: true, reasons: ['unchanged'] });
  assert.deepEqual(explainReuse(b.train, a.train, allow), { reuse: false, reasons: ['parameter reg_rate 0.01 → 0.1'] });
});

test('a changed input blob invalidates reuse and is named; the same content elsewhere does not', () => {
  const before = components();
  const changed = components({
    blobs: [blobs[0], { name: 'diabetes/part-2.csv', size: 200, etag: '"0x3"' }],
  });
  assert.deepEqual(explainReuse(changed.prepare, before.prepare, allow), {
    reuse: false,
    reasons: ['input raw_data changed: diabetes/part-2.csv (ETag "0x2" → "0x3")'],
  });
  const more = components({
    blobs: [{ ...blobs[0], md5: 'BBB=' }, blobs[1], { name: 'diabetes/part-3.csv', size: 5, md5: 'C=' }],
  });
  assert.deepEqual(explainReuse(more.prepare, before.prepare, allow).reasons, [
    'input raw_data changed: diabetes/part-1.csv (MD5 AAA= → BBB=), diabetes/part-3.csv added',
  ]);
  const rewrittenSameContent = components({ blobs: [{ ...blobs[0], etag: '"0x9"' }, blobs[1]] });
  assert.equal(reuseKey(rewrittenSameContent.prepare), reuseKey(before.prepare), 'MD5 wins over ETag');
  assert.equal(
    datastoreFingerprint('diabetes/', blobs),
    datastoreFingerprint('copy/', [
      { name: 'copy/part-2.csv', size: 200, etag: '"0x2"' },
      { name: 'copy/part-1.csv', size: 100, md5: 'AAA=' },
    ]),
    'names are relative to the input path and order does not matter',
  );
});

test('an upstream step that re-ran with identical bytes keeps its consumer reused', () => {
  const a = components({ runId: 'run-1', prepped: 'fp-1' });
  const b = components({ runId: 'run-2', prepped: 'fp-1', blobs: [blobs[0]] });
  assert.notEqual(reuseKey(a.prepare), reuseKey(b.prepare));
  assert.deepEqual(explainReuse(b.train, a.train, allow).reuse, true);
  const c = components({ prepped: 'fp-2' });
  assert.deepEqual(explainReuse(c.train, a.train, allow).reasons, [
    'input prepped_data changed: step prepare produced different output',
  ]);
});

test('changed source files are named when the snapshot lists its files', () => {
  const before = components();
  const after = components({
    snapshot: {
      id: 'snap-2',
      files: [
        { name: 'prep.py', hash: 'p2' },
        { name: 'train.py', hash: 't1' },
        { name: 'util.py', hash: 'u1' },
      ],
    },
  });
  assert.deepEqual(explainReuse(after.prepare, before.prepare, allow).reasons, ['prep.py changed', 'util.py added']);
  const bare = components({ snapshot: { id: 'snap-3' } });
  assert.deepEqual(explainReuse(bare.prepare, before.prepare, allow).reasons, [
    'source changed (snapshot snap-1 → snap-3)',
  ]);
});

test('arguments, script and compute changes are named', () => {
  const before = components();
  const text = JSON.stringify({
    ...JSON.parse(JSON.stringify(spec)),
    steps: spec.steps.map((s) =>
      s.name === 'train' && s.type === 'python'
        ? { ...s, script: 'train2.py', compute: 'gpu', arguments: [...s.arguments, '--verbose'] }
        : s,
    ),
  });
  const after = components({ specText: text });
  assert.deepEqual(explainReuse(after.train, before.train, allow).reasons, [
    'script changed: train.py → train2.py',
    'arguments changed: --training-data ${{data.prepped_data}} --reg ${{parameters.reg_rate}} → --training-data ${{data.prepped_data}} --reg ${{parameters.reg_rate}} --verbose',
    'compute changed: cpu → gpu',
  ]);
});

test('controls: no earlier run, allow_reuse false, regenerateOutputs, reuse_max_age, deleted outputs', () => {
  const c = components().prepare;
  assert.deepEqual(explainReuse(c, undefined, allow), { reuse: false, reasons: ['no earlier run'] });
  assert.deepEqual(explainReuse(c, c, { allowReuse: false }), { reuse: false, reasons: ['allow_reuse is false'] });
  assert.deepEqual(explainReuse(c, c, { allowReuse: true, regenerateOutputs: true }), {
    reuse: false,
    reasons: ['regenerateOutputs was requested'],
  });
  const aged = {
    allowReuse: true,
    reuseMaxAge: 'P7D',
    previousCompletedAt: '2024-06-01T10:00:00.000Z',
  };
  assert.deepEqual(explainReuse(c, c, { ...aged, now: '2024-06-08T10:00:01.000Z' }), {
    reuse: false,
    reasons: ['older than reuse_max_age (P7D): completed 2024-06-01T10:00:00.000Z'],
  });
  assert.equal(explainReuse(c, c, { ...aged, now: '2024-06-08T09:59:59.000Z' }).reuse, true);
  assert.throws(() => explainReuse(c, c, aged), /`now` is required/);
  assert.deepEqual(explainReuse(c, c, { allowReuse: true, previousOutputsExist: false }), {
    reuse: false,
    reasons: ['the earlier outputs no longer exist'],
  });
  assert.deepEqual(explainReuse(c, c, { allowReuse: true, previousRun: { runId: 'run-0', step: 'prepare' } }), {
    reuse: true,
    reasons: ['unchanged since run run-0 (step prepare)'],
  });
});

test('components require a fingerprint for every input', () => {
  const plan = buildRunPlan(spec, {
    runId: 'r',
    defaultCompute: 'cpu',
    parameters: resolveParameters(spec),
  });
  assert.throws(() => reuseKeyComponents(plan.steps.prepare, { inputs: {} }), /no fingerprint for input\(s\) raw_data/);
});
