/**
 * How old a list of compute targets a submit may check its steps against (issue 19: one query less per run in a
 * burst). A name missing from it is looked up afresh, so a target just registered is found; a target deleted less
 * than this long ago may still be accepted, as it is when deleted just after the submit (the job waits in its queue).
 */
export const RECENT_COMPUTE_TARGETS_MS = 2000;

/**
 * A value read at most once per `maxAgeMs` for callers that accept a recent copy (`recent` true); other callers
 * always read. Callers that accept a copy while none is young enough share the read in flight, so a burst of
 * requests costs one read. The age counts from the start of the read that produced the copy; a failed read leaves
 * no copy.
 */
export function recentlyRead<T>(
  read: () => Promise<T>,
  maxAgeMs: number,
  now: () => number = () => Date.now(),
): (recent?: boolean) => Promise<T> {
  let copy: { value: T; at: number } | undefined;
  let pending: Promise<T> | undefined;
  return (recent = false) => {
    if (recent && copy && now() - copy.at <= maxAgeMs) return Promise.resolve(copy.value);
    if (recent && pending) return pending;
    const at = now();
    const reading = read().then((value) => {
      if (!copy || copy.at <= at) copy = { value, at };
      return value;
    });
    if (!pending) {
      pending = reading;
      const clear = () => {
        if (pending === reading) pending = undefined;
      };
      reading.then(clear, clear);
    }
    return reading;
  };
}
