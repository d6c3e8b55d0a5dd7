import type { z } from 'zod';
import type { FieldIssue } from './errors';

/**
 * The one place zod's issues become Sluice's field problems. Every reader of outside input (the REST API's bodies
 * and queries, schedule timings, pipeline specs) goes through {@link zodProblems}, so they agree on two things:
 * - an unknown key is a problem at that key (not at its parent), one per key;
 * - a path is written one way: `body.steps[1].name`, `recurrence.hours[0]`, `steps[0]["odd key"]`.
 * What differs is only the wording: the API and schedules show the schema's own message (their zod schemas carry
 * the text), while a spec gets wording for people who write YAML (shared/spec/zodIssues.ts) through an
 * {@link IssueWording}.
 */

export type PathSegment = string | number;

/** One problem: where (segments), what, and whether to point at the mapping key rather than its value. */
export interface ZodProblem {
  path: PathSegment[];
  message: string;
  key?: boolean;
}

export interface IssueWording {
  /** The message for an unknown `key`; `path` is the mapping's path (without the key). */
  unknownKey(key: string, path: PathSegment[]): string;
  /** The problems of any other issue; default: one problem at its path with the schema's message. */
  describe?(issue: z.core.$ZodIssue, path: PathSegment[]): ZodProblem[];
}

export const UNKNOWN_FIELD = 'is not a known field; remove it or check its spelling';

const PLAIN_WORDING: IssueWording = { unknownKey: () => UNKNOWN_FIELD };

export function zodProblems(issues: readonly z.core.$ZodIssue[], wording: IssueWording = PLAIN_WORDING): ZodProblem[] {
  const out: ZodProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: [...path, key], key: true, message: wording.unknownKey(key, path) });
    } else {
      out.push(...(wording.describe?.(issue, path) ?? [{ path, message: issue.message }]));
    }
  }
  return out;
}

/**
 * `body.steps[1].name` from `('body', ['steps', 1, 'name'])`; `recurrence.hours[0]` with no prefix. A key that is
 * not a plain name is quoted: `tags["a b"]`.
 */
export function formatFieldPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(key))) out += out ? `.${String(key)}` : String(key);
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** Zod issues as FieldIssues whose paths start with `prefix` (`body`, `query`, `schedule` or nothing). */
export function fieldIssuesFromZod(
  issues: readonly z.core.$ZodIssue[],
  prefix = '',
  wording: IssueWording = PLAIN_WORDING,
): FieldIssue[] {
  return zodProblems(issues, wording).map((p) => ({ path: formatFieldPath(p.path, prefix), message: p.message }));
}
