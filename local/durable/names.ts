/**
 * Names of the task hub's storage artifacts, exactly as DurableTask.AzureStorage derives them from the hub name
 * (../shared/docs/durable-protocol.md §5.1), so Storage Explorer and other tools recognise them.
 */
export interface TaskHubNames {
  hub: string;
  historyTable: string;
  instancesTable: string;
  controlQueues: string[];
  workItemQueue: string;
  largeMessagesContainer: string;
  leasesContainer: string;
}

export function taskHubNames(hub: string, partitionCount: number): TaskHubNames {
  const lower = hub.toLowerCase();
  return {
    hub,
    historyTable: `${hub}History`,
    instancesTable: `${hub}Instances`,
    controlQueues: Array.from({ length: partitionCount }, (_, i) => `${lower}-control-${String(i).padStart(2, '0')}`),
    workItemQueue: `${lower}-workitems`,
    largeMessagesContainer: `${lower}-largemessages`,
    leasesContainer: `${lower}-leases`,
  };
}

/** FNV-1a (32 bit) over the UTF-8 bytes of the instance id: the partition DTFx routes an instance to. */
export function partitionOf(instanceId: string, partitionCount: number): number {
  let hash = 2166136261;
  for (const byte of Buffer.from(instanceId, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash % partitionCount;
}

/**
 * Table keys may not contain `/ \ # ?` or control characters; DTFx escapes them (and its escape character `^`) as
 * `^XX` hex, so any instance id can be a partition key.
 */
export function escapeKey(key: string): string {
  let out = '';
  for (const ch of key) {
    const code = ch.codePointAt(0)!;
    const bad =
      ch === '^' ||
      ch === '/' ||
      ch === '\\' ||
      ch === '#' ||
      ch === '?' ||
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f);
    out += bad ? '^' + code.toString(16).toUpperCase().padStart(2, '0') : ch;
  }
  return out;
}

export function unescapeKey(key: string): string {
  return key.replace(/\^([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** History row key: the event's position in the execution as 16 upper-case hex digits. */
export function historyRowKey(index: number): string {
  return index.toString(16).toUpperCase().padStart(16, '0');
}
