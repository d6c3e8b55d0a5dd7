import type { TaskMessage } from '../messages';

/** Work items of one episode travel in as few queue messages as fit (≤ 100 items, well under the 45 KB limit). */
export function groupWorkItems(messages: TaskMessage[]): TaskMessage[][] {
  const groups: TaskMessage[][] = [];
  let current: TaskMessage[] = [];
  let size = 0;
  for (const m of messages) {
    const n = JSON.stringify(m).length;
    if (current.length && (current.length >= 100 || size + n > 40_000)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(m);
    size += n;
  }
  if (current.length) groups.push(current);
  return groups;
}
