import type { Run, RunOutput } from '../../databricks/api';

/**
 * How a Databricks run maps onto a step attempt: PENDING, QUEUED, RUNNING, TERMINATING (and the other non-terminal
 * states) keep the step Running; TERMINATED/SUCCESS completes it; CANCELED cancels it; FAILED, TIMEDOUT,
 * INTERNAL_ERROR, SKIPPED fail it with Databricks' state message and the task's error.
 */
export interface MappedState {
  done: boolean;
  status?: 'Completed' | 'Failed' | 'Canceled';
  errorKind?: 'user' | 'system' | 'timeout' | 'canceled';
  message?: string;
}

export function mapRunState(run: Pick<Run, 'run_id' | 'state'>): MappedState {
  const { life_cycle_state: life, result_state: result, state_message: msg } = run.state;
  if (life !== 'TERMINATED' && life !== 'INTERNAL_ERROR' && life !== 'SKIPPED') return { done: false };
  const said = msg ? `: ${msg}` : '';
  if (life === 'TERMINATED' && (result === 'SUCCESS' || result === 'SUCCESS_WITH_FAILURES'))
    return { done: true, status: 'Completed' };
  if (result === 'CANCELED')
    return {
      done: true,
      status: 'Canceled',
      errorKind: 'canceled',
      message: `Databricks run ${run.run_id} was canceled${said}`,
    };
  if (life === 'INTERNAL_ERROR')
    return {
      done: true,
      status: 'Failed',
      errorKind: 'system',
      message: `Databricks run ${run.run_id} INTERNAL_ERROR${said}`,
    };
  if (result === 'TIMEDOUT')
    return {
      done: true,
      status: 'Failed',
      errorKind: 'timeout',
      message: `Databricks run ${run.run_id} TIMEDOUT${said}`,
    };
  return {
    done: true,
    status: 'Failed',
    errorKind: 'user',
    message: `Databricks run ${run.run_id} ${result ?? life}${said}`,
  };
}

/** Appends the task's error (Databricks' one line) to a failure's message. */
export function withTaskError(mapped: MappedState, output: Pick<RunOutput, 'error'> | undefined): MappedState {
  if (mapped.status !== 'Failed' || !output?.error) return mapped;
  return { ...mapped, message: `${mapped.message} — ${output.error.split('\n')[0]}` };
}

/** The output as log text: notebook result, error, trace and the logs' tail, each under a heading. */
export function outputLog(output: RunOutput, tailChars = 64 * 1024): string {
  const parts: string[] = [];
  if (output.notebook_output?.result !== undefined)
    parts.push(
      `--- notebook result (dbutils.notebook.exit)${output.notebook_output.truncated ? ', truncated' : ''}\n${output.notebook_output.result}`,
    );
  if (output.error) parts.push(`--- error\n${output.error}`);
  if (output.error_trace) parts.push(`--- error trace\n${output.error_trace}`);
  if (output.logs) {
    const tail = output.logs.length > tailChars ? output.logs.slice(-tailChars) : output.logs;
    const cut = output.logs_truncated || tail.length < output.logs.length;
    parts.push(`--- logs${cut ? ' (tail)' : ''}\n${tail}`);
  }
  return parts.length ? `${parts.join('\n').replace(/\n?$/, '\n')}` : '';
}
