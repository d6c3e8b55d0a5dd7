import { NAME_PATTERN } from './names';

/**
 * Binding expressions: `${{parameters.x}}`, `${{inputs.x}}`, `${{data.x}}` and `${{outputs.x}}` inside argument
 * strings and environment values (whitespace inside the braces is allowed: `${{ parameters.x }}`). This file only
 * finds them; the validator checks what they refer to and the engine substitutes parameters.
 */

export const REFERENCE_KINDS = ['parameters', 'inputs', 'data', 'outputs'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export interface Reference {
  kind: ReferenceKind;
  name: string;
  /** The whole expression as written, e.g. `${{ data.prepped }}`. */
  text: string;
  start: number;
  end: number;
}

export interface ScanResult {
  references: Reference[];
  /** Malformed expressions, as messages that say how to write them. */
  problems: string[];
}

const EXPRESSION = /\$\{\{([^}]*)\}\}/g;

export function scanExpressions(value: string): ScanResult {
  const references: Reference[] = [];
  const problems: string[] = [];
  let covered = 0;
  for (const m of value.matchAll(EXPRESSION)) {
    const start = m.index;
    const text = m[0];
    const inner = m[1].trim();
    const dot = inner.indexOf('.');
    const kind = inner.slice(0, dot);
    const name = inner.slice(dot + 1);
    if (dot < 0 || !(REFERENCE_KINDS as readonly string[]).includes(kind)) {
      problems.push(
        `"${text}" is not a known expression; write \${{parameters.NAME}}, \${{inputs.NAME}}, \${{data.NAME}} or \${{outputs.NAME}}`,
      );
    } else if (!NAME_PATTERN.test(name)) {
      problems.push(`"${text}" does not name a ${kind.replace(/s$/, '')}: "${name}" is not a valid name`);
    } else {
      references.push({ kind: kind as ReferenceKind, name, text, start, end: start + text.length });
    }
    // A `${{` between the previous expression and this one never got its `}}`.
    if (value.slice(covered, start).includes('${{')) problems.push(unclosed(value));
    covered = start + text.length;
  }
  if (value.slice(covered).includes('${{')) problems.push(unclosed(value));
  return { references, problems: [...new Set(problems)] };
}

function unclosed(value: string): string {
  return `"${value}" has a "\${{" without its closing "}}"`;
}

/**
 * Replaces each well-formed reference for which `replace` returns a string; the rest of the text (and references
 * for which it returns undefined) stay as they are. Substituted values are not scanned again.
 */
export function replaceExpressions(value: string, replace: (ref: Reference) => string | undefined): string {
  const { references } = scanExpressions(value);
  let out = '';
  let at = 0;
  for (const ref of references) {
    const replacement = replace(ref);
    out += value.slice(at, ref.start) + (replacement ?? ref.text);
    at = ref.end;
  }
  return out + value.slice(at);
}
