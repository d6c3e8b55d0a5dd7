import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestsInARow, type TracedRequest } from '../../../bench/storageOps';

const SEND = 'queue send compute-cpu';
const at = (start: number, end: number, key: string): TracedRequest => ({ start, end, key });

test('a chain step: the requests it waited for one after the other, overlapping ones once, off-path ones not at all', () => {
  const requests = [
    at(0, 1, SEND),
    at(1.5, 2.5, 'table write StepRuns'), // Running
    at(1.6, 3.5, 'table write ReuseCache'), // the previous step's reuse record: never on the path
    at(6, 7, 'queue send step-results'),
    at(7.2, 8, 'table query StepRuns'), // overlaps the log's put: one round trip
    at(7.2, 9, 'blob write logs'),
    at(7.3, 9.5, 'queue delete compute-cpu'), // the job's delete: never on the path
    at(9.6, 11, 'table batch'),
    at(11.5, 12.5, SEND),
  ];
  assert.deepEqual(requestsInARow(requests, SEND), [5]);
});

test('one number per pair of consecutive sends; a request nobody waited for between them still counts', () => {
  const requests = [
    at(0, 1, SEND),
    at(2, 3, 'table write StepRuns'),
    at(4, 5, SEND),
    at(6, 7, 'table write StepRuns'),
    at(7.5, 8, 'blob read pipeline-data'), // a new kind of request on the path is counted, not assumed away
    at(9, 10, SEND),
  ];
  assert.deepEqual(requestsInARow(requests, SEND), [2, 3]);
});

test('no sends, or one: nothing to count', () => {
  assert.deepEqual(requestsInARow([], SEND), []);
  assert.deepEqual(requestsInARow([at(0, 1, SEND), at(1, 2, 'table batch')], SEND), []);
});
