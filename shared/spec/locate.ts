import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { PathSegment } from './model';

/**
 * Finds where a spec path (`steps[1].arguments[3]`) is written in the YAML/JSON text, so an error can say
 * "line 12, column 7". A path that does not exist in the text (a missing field) is located at its nearest
 * written ancestor: the mapping the field is missing from.
 */

export interface Position {
  line: number;
  column: number;
}

export type Locator = (path: readonly PathSegment[], key?: boolean) => Position | undefined;

export function yamlLocator(doc: Document, counter: LineCounter): Locator {
  const at = (offset: number): Position => {
    const { line, col } = counter.linePos(offset);
    return { line, column: col };
  };
  return (path, key = false) => {
    let node: unknown = doc.contents;
    let best: Node | undefined = doc.contents ?? undefined;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        if (last && key && pair.key && isScalar(pair.key)) {
          best = pair.key;
          break;
        }
        node = pair.value;
        // `name:` with no value has no node; point at its key.
        best = (isScalar(pair.value) || isMap(pair.value) || isSeq(pair.value) ? pair.value : pair.key) as Node;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (!item) break;
        node = item;
        best = item as Node;
      } else {
        break;
      }
    }
    const range = best?.range;
    return range ? at(range[0]) : undefined;
  };
}

/** Offset → position, for parser errors that carry an offset. */
export function positionOf(counter: LineCounter, offset: number): Position {
  const { line, col } = counter.linePos(offset);
  return { line, column: col };
}
