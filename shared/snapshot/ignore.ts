/**
 * `.gitignore` pattern matching (the syntax `.amlignore` uses too), enough for source snapshots: comments, blank
 * lines, `!` negation, `\` escapes, trailing-`/` directory patterns, anchoring by a leading or inner `/`, `*`, `?`,
 * `[...]` classes and `**` in its three positions. The last matching pattern wins. As in git, a file inside an
 * ignored directory cannot be re-included: the walker never descends into an ignored directory.
 */
export interface IgnoreMatcher {
  /** `relPath` is `/`-separated and relative to the folder holding the ignore file. */
  ignores(relPath: string, isDir: boolean): boolean;
}

interface Rule {
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

export function compileIgnore(text: string): IgnoreMatcher {
  const rules = text
    .split(/\r?\n/)
    .map(parseLine)
    .filter((r): r is Rule => r !== undefined);
  return {
    ignores(relPath, isDir) {
      let ignored = false;
      for (const rule of rules) {
        if (rule.dirOnly && !isDir) continue;
        if (rule.regex.test(relPath)) ignored = !rule.negate;
      }
      return ignored;
    },
  };
}

function parseLine(raw: string): Rule | undefined {
  let line = raw;
  if (line === '' || line.startsWith('#')) return undefined;
  // Trailing spaces are ignored unless escaped with a backslash.
  line = line.replace(/(?<!\\)\s+$/, '');
  if (line.endsWith('\\ ')) line = line.slice(0, -2) + ' ';
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (line === '') return undefined;
  // A slash at the start or in the middle anchors the pattern to the ignore file's folder; otherwise it matches a
  // name at any depth.
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const body = translate(line);
  const regex = new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`);
  return { regex, negate, dirOnly };
}

/** Translates one glob (without the leading `/`) into a regular expression body. */
function translate(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length;
        const beforeSlash = glob[i + 2] === '/';
        if (atStart && beforeSlash) {
          out += '(?:.*/)?'; // `**/x` and `a/**/x`: zero or more folders
          i += 3;
          continue;
        }
        if (atStart && atEnd) {
          out += '.*'; // `a/**`: everything inside
          i += 2;
          continue;
        }
        // Any other `**` is an ordinary `*`.
        out += '[^/]*';
        i += 2;
        continue;
      }
      out += '[^/]*';
      i += 1;
    } else if (c === '?') {
      out += '[^/]';
      i += 1;
    } else if (c === '[') {
      const end = findClassEnd(glob, i);
      if (end < 0) {
        out += '\\[';
        i += 1;
        continue;
      }
      let cls = glob.slice(i + 1, end);
      let negated = false;
      if (cls.startsWith('!') || cls.startsWith('^')) {
        negated = true;
        cls = cls.slice(1);
      }
      cls = cls.replace(/\\/g, '\\\\').replace(/\^/g, '\\^').replace(/\[/g, '\\[');
      out += negated ? `(?!/)[^${cls}]` : `(?!/)[${cls}]`;
      i = end + 1;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRegex(glob[i + 1]);
      i += 2;
    } else {
      out += escapeRegex(c);
      i += 1;
    }
  }
  return out;
}

function findClassEnd(glob: string, start: number): number {
  let j = start + 1;
  if (glob[j] === '!' || glob[j] === '^') j++;
  if (glob[j] === ']') j++;
  for (; j < glob.length; j++) if (glob[j] === ']') return j;
  return -1;
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
