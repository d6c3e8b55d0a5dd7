import type { z } from 'zod';
import { UserInputError, type FieldIssue } from '../errors';

export type InputPart = 'path' | 'query' | 'body' | 'header';

/** `body.steps[1].name` from `['steps', 1, 'name']`. */
export function formatIssuePath(part: InputPart, path: readonly PropertyKey[]): string {
  let out: string = part;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(key))) out += `.${String(key)}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Zod issues as FieldIssues; an unknown key becomes an issue at that key (not at its parent). */
export function issuesFromZod(part: InputPart, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          path: formatIssuePath(part, [...issue.path, key]),
          message: 'is not a known field; remove it or check its spelling',
        });
      }
    } else {
      out.push({ path: formatIssuePath(part, issue.path), message: issue.message });
    }
  }
  return out;
}

/** One error that names every offending field: `query.top: Too big: expected number to be <=100`. */
export function inputError(issues: FieldIssue[], code = 'BadRequest'): UserInputError {
  const [first, ...rest] = issues;
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return new UserInputError(`${first.path}: ${first.message}${more}`, issues, code);
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, part: InputPart): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw inputError(issuesFromZod(part, result.error.issues));
}
