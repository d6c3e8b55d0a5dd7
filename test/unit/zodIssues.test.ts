import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { fieldIssuesFromZod, formatFieldPath, UNKNOWN_FIELD } from '../../shared/zodIssues';
import { parseTiming } from '../../shared/timing';
import { UserInputError } from '../../shared/errors';

test('one path format for every reader: prefix or none, indexes, quoted odd keys', () => {
  assert.equal(formatFieldPath(['steps', 1, 'name'], 'body'), 'body.steps[1].name');
  assert.equal(formatFieldPath(['recurrence', 'hours', 0]), 'recurrence.hours[0]');
  assert.equal(formatFieldPath(['tags', 'a b']), 'tags["a b"]');
  assert.equal(formatFieldPath([], 'query'), 'query');
});

test('every unknown key is its own issue, at the key', () => {
  const schema = z.strictObject({ a: z.strictObject({ b: z.number() }) });
  const result = schema.safeParse({ a: { b: 'x', c: 1, d: 2 } });
  assert.equal(result.success, false);
  assert.deepEqual(
    fieldIssuesFromZod(result.error!.issues, 'body')
      .map((i) => [i.path, i.message])
      .sort(),
    [
      ['body.a.b', 'Invalid input: expected number, received string'],
      ['body.a.c', UNKNOWN_FIELD],
      ['body.a.d', UNKNOWN_FIELD],
    ],
  );
});

test('a schedule timing names each unknown field with what its place allows', () => {
  let err: unknown;
  try {
    parseTiming({ recurrence: { frequency: 'Day', interval: 1, at: '9', every: 2 }, when: 'x' }, 'schedule');
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof UserInputError);
  assert.deepEqual(err.issues.map((i) => i.path).sort(), [
    'schedule.recurrence.at',
    'schedule.recurrence.every',
    'schedule.when',
  ]);
  assert.match(
    err.issues.find((i) => i.path === 'schedule.recurrence.every')!.message,
    /^Unknown field "every"; a recurrence takes/,
  );
  assert.match(
    err.issues.find((i) => i.path === 'schedule.when')!.message,
    /^Unknown field "when"; a schedule's timing is/,
  );
});
