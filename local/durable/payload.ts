import type { RpcInvocationResponse } from '../core/types';
import { EventType, SCHEMA } from './protocol';
import type { ExecutionState, HistoryRecord } from './state';

/** What the SDK's orchestrator handler returns (../shared/docs/durable-protocol.md §2.6). */
export interface OrchestratorState {
  isDone: boolean;
  actions: unknown[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
  failureDetails?: unknown;
}

export type OrchestratorOutcome = { kind: 'state'; state: OrchestratorState } | { kind: 'crash'; message: string };

const OUT_OF_PROC_LABEL = '\n\n$OutOfProcData$:';

function recordJson(record: HistoryRecord, played: boolean): string {
  if (played && record.playedJson !== undefined) return record.playedJson;
  record.event.IsPlayed = played;
  const json = JSON.stringify(record.event);
  if (played) record.playedJson = json;
  return json;
}

/**
 * Builds the orchestration trigger value (§2.1) as JSON text. Events before `firstNewIndex` (earlier episodes) go out
 * with `IsPlayed: true`, the new ones with `false`; their JSON is cached on the record, because a long history is
 * sent again on every episode and re-serialising it dominated replay cost (../shared/docs/replay-cost.md).
 */
export function buildOrchestrationPayload(
  state: ExecutionState,
  records: HistoryRecord[],
  firstNewIndex: number,
): string {
  const parts = new Array<string>(records.length);
  let startedIndex = -1;
  for (let i = 0; i < records.length; i++) {
    parts[i] = recordJson(records[i], i < firstNewIndex);
    if (startedIndex < 0 && records[i].event.EventType === EventType.ExecutionStarted) startedIndex = i;
  }
  const rest = JSON.stringify({
    instanceId: state.instanceId,
    isReplaying: startedIndex >= 0 && startedIndex < firstNewIndex,
    parentInstanceId: state.parent?.OrchestrationInstance.InstanceId ?? null,
    ...SCHEMA,
  });
  return `{"history":[${parts.join(',')}],"input":${state.input ?? 'null'},${rest.slice(1)}`;
}

/** The orchestrator returned: its state is the return value (`{json}`). */
export function outcomeFromResponse(response: RpcInvocationResponse): OrchestratorOutcome {
  const rv = response.returnValue;
  const text = rv?.json ?? rv?.string;
  if (typeof text !== 'string') {
    return { kind: 'crash', message: 'The orchestrator function did not return an orchestration state.' };
  }
  return { kind: 'state', state: JSON.parse(text) as OrchestratorState };
}

/**
 * The orchestrator threw. A user-code failure carries the state after the `$OutOfProcData$` label; anything else
 * (an SDK internal error) is reported by its message, as the extension does.
 */
export function outcomeFromError(err: unknown): OrchestratorOutcome {
  const message = err instanceof Error ? err.message : String(err);
  const at = message.indexOf(OUT_OF_PROC_LABEL);
  if (at >= 0) {
    try {
      return { kind: 'state', state: JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState };
    } catch {
      // fall through: report the raw message
    }
  }
  return { kind: 'crash', message };
}
