/** "did you mean" hints for misspelt field and reference names. */

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a couple of edits (scaled to the word's length), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(3, Math.floor(word.length / 3) + 1);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d <= limit && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "x"?)` or `''`. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean "${c}"?)`;
}

/** A did-you-mean hint, else the names that exist (so the fix is visible without opening the spec). */
export function nameHint(word: string, candidates: Iterable<string>, noun: string): string {
  const list = [...candidates];
  const hint = didYouMean(word, list);
  if (hint) return hint;
  if (list.length === 0) return `; no ${noun} are declared`;
  const shown = list.slice(0, 10).join(', ');
  return `; declared ${noun}: ${shown}${list.length > 10 ? ', …' : ''}`;
}
