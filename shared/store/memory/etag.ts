let counter = 0;

/** A fresh ETag for an in-memory row (unique per write, like the service's). */
export function nextEtag(): string {
  counter += 1;
  return `W/"mem-${counter}"`;
}
