/**
 * Bicep's lexical layer: strings with `${…}` interpolation (kept as nested token lists), multi-line strings,
 * comments, numbers, names and punctuation. Newlines are tokens because they separate object and array members.
 */

export type Token =
  | { k: 'id'; v: string; line: number }
  | { k: 'num'; v: number; line: number }
  | { k: 'str'; parts: (string | Token[])[]; line: number }
  | { k: 'p'; v: string; line: number }
  | { k: 'nl'; line: number };

export type StrToken = Extract<Token, { k: 'str' }>;

/** Marks an object member whose key is an interpolated string; its value is `[keyExpr, valueExpr]`. */
export const INTERPOLATED_KEY = '\u0000interpolated';

const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '??', '=>', '.?', '{', '}', '[', ']', '(', ')', ',', ':', '.'];
const SINGLE = '?!=<>@+-*/%';

export class BicepSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
  }
}

/** Splits Bicep source into tokens. Newlines are tokens, because they separate object and array members. */
export function tokenize(source: string, file: string, firstLine = 1): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = firstLine;
  const fail = (message: string): never => {
    throw new BicepSyntaxError(file, line, message);
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') {
      tokens.push({ k: 'nl', line });
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated block comment');
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (source.startsWith("'''", i)) {
      const end = source.indexOf("'''", i + 3);
      if (end < 0) fail('unterminated multi-line string');
      const text = source.slice(i + 3, end);
      tokens.push({ k: 'str', parts: [text.replace(/^\r?\n/, '')], line });
      line += text.split('\n').length - 1;
      i = end + 3;
    } else if (c === "'") {
      const startLine = line;
      const parts: (string | Token[])[] = [];
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length || source[i] === '\n') fail('unterminated string');
        const d = source[i];
        if (d === "'") {
          i++;
          break;
        }
        if (d === '\\') {
          const e = source[i + 1];
          text += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e;
          i += 2;
        } else if (d === '$' && source[i + 1] === '{') {
          if (text) parts.push(text);
          text = '';
          const end = findInterpolationEnd(source, i + 2, fail);
          parts.push(tokenize(source.slice(i + 2, end), file, line));
          i = end + 1;
        } else {
          text += d;
          i++;
        }
      }
      if (text || parts.length === 0) parts.push(text);
      tokens.push({ k: 'str', parts, line: startLine });
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ k: 'num', v: Number(m[0]), line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      tokens.push({ k: 'id', v: m[0], line });
      i += m[0].length;
    } else {
      const p = PUNCTUATION.find((x) => source.startsWith(x, i)) ?? (SINGLE.includes(c) ? c : undefined);
      if (!p) fail(`unexpected character "${c}"`);
      tokens.push({ k: 'p', v: p!, line });
      i += p!.length;
    }
  }
  return tokens;
}

/** Index of the `}` that closes an interpolation opened just before `start`, skipping nested braces and strings. */
function findInterpolationEnd(source: string, start: number, fail: (m: string) => never): number {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') break;
    if (c === "'") {
      for (i++; i < source.length && source[i] !== "'"; i++) if (source[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return fail('unterminated ${…} in a string');
}

