import { z } from 'zod';
import { paths, type BlobLocation } from '../../compute/messages';
import { NotFoundError, UserInputError } from '../../errors';
import { followLog } from '../../store/logTail';
import { isTerminalStepStatus, type StepRunRecord } from '../../store/model';
import { CONTAINERS } from '../../store/names';
import { defineRoute } from '../route';
import { QueryFlag, RunId, StepName } from '../schemas';

/** The log blob of one attempt: the one the step run records, else where the worker writes it. */
function logLocation(step: StepRunRecord, attempt: number): BlobLocation {
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
    'new output until the step ends (or the server ends a long response; then resume from the received length).',
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
        'sluice-step-status': 'The step status when the response started',
      },
    },
  },
  async handler({ params, query, deps }) {
    const { store } = deps;
    const step = await store.stepRuns.get(params.runId, params.step);
    if (!step) {
      const run = await store.runs.get(params.runId);
      throw new NotFoundError(
        run ? `Run "${params.runId}" has no step "${params.step}".` : `Run "${params.runId}" does not exist.`,
      );
    }
    const latest = Math.max(step.attempt, 1);
    if (query.attempt !== undefined && query.attempt > latest) {
      throw UserInputError.field(
        'query.attempt',
        `step "${step.step}" has ${step.attempt === 0 ? 'not started yet' : `${step.attempt} attempt(s)`}; ask for 1–${latest}`,
      );
    }
    const attempt = query.attempt ?? latest;
    const location = logLocation(step, attempt);
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      'sluice-step-status': step.status,
      'sluice-step-attempt': String(attempt),
      'cache-control': 'no-store',
    };

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
        const current = await store.stepRuns.get(params.runId, params.step);
        if (!current) return { terminal: true, attempt };
        if (pinned)
          return {
            log: location,
            attempt,
            terminal: isTerminalStepStatus(current.status) || current.attempt > attempt,
          };
        const at = Math.max(current.attempt, 1);
        return { log: logLocation(current, at), attempt: at, terminal: isTerminalStepStatus(current.status) };
      },
    });
    return { status: 200, headers, body };
  },
});
