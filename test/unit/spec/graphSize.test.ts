import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserInputError } from '../../../shared/errors';
import { parseSpec } from '../../../shared/spec/parse';
import { MAX_STEP_GRAPH_BYTES } from '../../../shared/spec/validate';

/** `count` command steps with 64-character names, each running after the `fanIn` steps before it. */
function pipeline(count: number, fanIn: number): string {
  const name = (i: number) => `s${String(i).padStart(63, '0')}`;
  const steps = Array.from({ length: count }, (_, i) => ({
    name: name(i),
    type: 'command',
    command: 'true',
    run_after: Array.from({ length: Math.min(i, fanIn) }, (_, k) => name(i - 1 - k)),
  }));
  return JSON.stringify({ name: 'big', steps });
}

test('a pipeline whose step graph would not fit one orchestration message is refused, naming the size and the fix', () => {
  try {
    parseSpec(pipeline(2000, 4));
    assert.fail('the spec was accepted');
  } catch (err) {
    assert.ok(err instanceof UserInputError, String(err));
    assert.equal(err.issues.length, 1);
    assert.equal(err.issues[0].path, 'steps');
    assert.match(
      err.issues[0].message,
      new RegExp(
        `^the step graph \\(2000 steps, their names and dependencies\\) is \\d+ KiB as JSON; a run's orchestration ` +
          `receives it in one message of at most ${MAX_STEP_GRAPH_BYTES / 1024} KiB \\(the Durable Task Scheduler ` +
          'refuses larger ones\\): split the pipeline, or shorten step names$',
      ),
    );
  }
});

test('a large pipeline under the limit is accepted', () => {
  assert.equal(parseSpec(pipeline(1000, 2)).steps.length, 1000);
});
