import { z } from 'zod';
import { paths, type BlobLocation } from '../../compute/messages';
import { NotFoundError, UserInputError } from '../../errors';
import { followLog } from '../../store/logTail';
import { attemptStatus, isTerminalStepStatus, type StepRunRecord } from '../../store/model';
import { CONTAINERS } from '../../store/names';
import { defineRoute } from '../route';
import { QueryFlag, RunId, StepName } from '../schemas';

/** The log blob of one attempt: the one the step run records, else where the worker writes it. */
export function logLocation(step: StepRunRecord, attempt: number): BlobLocation {
  if (attempt === step.attempt && step.log) return step.log;
  return { container: CONTAINERS.logs, path: paths.log(step.runId, step.step, attempt) };
}

export const stepLogsRoute = defineRoute({
  name: 'getStepLogs',
  method: 'GET',
  path: 'runs/{runId}/steps/{step}/logs',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: "A step's log (stdout and stderr)",
  description:
    'Plain text of the latest attempt (or `attempt`), from byte `offset`. With `follow=true` the response streams ' +
    'new output until the step ends (or the server ends a long response; then resume from the received length). ' +
    'A reused step did not run: the log is that of the step run whose result it reused (named by the ' +
    '`sluice-reused-from-run` and `sluice-reused-from-step` headers), and `attempt` counts that step run’s attempts.',
  params: z.object({ runId: RunId, step: StepName }),
  query: z.object({
    attempt: z.coerce.number({ error: 'must be a whole number ≥ 1' }).int().min(1).optional(),
    offset: z.coerce.number({ error: 'must be a whole number ≥ 0' }).int().min(0).default(0),
    follow: QueryFlag.optional(),
  }),
  responses: {
    200: {
      description: 'Log text',
      contentType: 'text/plain; charset=utf-8',
      schema: z.string(),
      headers: {
        'sluice-log-offset': 'Byte offset after this response (without follow): pass it as `offset` next time',
        'sluice-step-status':
          'The status of the attempt served when the response started: the step’s status for its latest ' +
          'attempt, `Failed` for an earlier one',
        'sluice-step-attempt': 'The attempt served',
        'sluice-reused-from-run': 'For a reused step: the run whose log this is',
        'sluice-reused-from-step': 'For a reused step: the step (in that run) whose log this is',
      },
    },
  },
  async handler({ params, query, deps }) {
    const { store } = deps;
    const own = await store.stepRuns.get(params.runId, params.step);
    if (!own) {
      const run = await store.runs.get(params.runId);
      throw new NotFoundError(
        run ? `Run "${params.runId}" has no step "${params.step}".` : `Run "${params.runId}" does not exist.`,
      );
    }
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    };
    // A reused step has no log of its own: serve the one of the step run that produced its result.
    let step = own;
    if (own.reused && own.reusedFrom) {
      const from = own.reusedFrom;
      const source = await store.stepRuns.get(from.runId, from.step);
      if (!source) {
        throw new NotFoundError(
          `Step "${own.step}" was reused from run "${from.runId}" (step "${from.step}"), whose record no longer ` +
            'exists; its log is gone.',
        );
      }
      step = source;
      headers['sluice-reused-from-run'] = from.runId;
      headers['sluice-reused-from-step'] = from.step;
    }
    const latest = Math.max(step.attempt, 1);
    if (query.attempt !== undefined && query.attempt > latest) {
      throw UserInputError.field(
        'query.attempt',
        `step "${own.step}"${step === own ? '' : ` (reused from run "${step.runId}")`} has ` +
          `${step.attempt === 0 ? 'not started yet' : `${step.attempt} attempt(s)`}; ask for 1–${latest}`,
      );
    }
    const attempt = query.attempt ?? latest;
    const location = logLocation(step, attempt);
    headers['sluice-step-status'] = attemptStatus(step, attempt);
    headers['sluice-step-attempt'] = String(attempt);

    if (!query.follow) {
      const chunk = await store.logs.read(location, query.offset);
      headers['sluice-log-offset'] = String(chunk?.nextOffset ?? query.offset);
      return { status: 200, headers, body: chunk?.data ?? '' };
    }
    const pinned = query.attempt !== undefined;
    const body = followLog({
      logs: store.logs,
      location,
      offset: query.offset,
      pollIntervalMs: deps.follow.pollIntervalMs,
      maxDurationMs: deps.follow.maxDurationMs,
      async poll() {
        const current = await store.stepRuns.get(step.runId, step.step);
        if (!current) return { terminal: true, attempt };
        if (pinned) return { log: location, attempt, terminal: isTerminalStepStatus(attemptStatus(current, attempt)) };
        const at = Math.max(current.attempt, 1);
        return { log: logLocation(current, at), attempt: at, terminal: isTerminalStepStatus(current.status) };
      },
    });
    return { status: 200, headers, body };
  },
});
