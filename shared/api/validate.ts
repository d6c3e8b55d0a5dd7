import type { z } from 'zod';
import { UserInputError, type FieldIssue } from '../errors';
import { fieldIssuesFromZod, formatFieldPath } from '../zodIssues';

export type InputPart = 'path' | 'query' | 'body' | 'header';

/** `body.steps[1].name` from `['steps', 1, 'name']`. */
export function formatIssuePath(part: InputPart, path: readonly PropertyKey[]): string {
  return formatFieldPath(path, part);
}

/** Zod issues as FieldIssues; an unknown key becomes an issue at that key (not at its parent). */
export function issuesFromZod(part: InputPart, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return fieldIssuesFromZod(issues, part);
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
