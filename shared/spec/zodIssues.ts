import type { z } from 'zod';
import type { PathSegment } from './model';
import { zodProblems } from '../zodIssues';
import { didYouMean } from './suggest';
import type { SpecProblem } from './validate';
import { STEP_TYPES } from './schema';

/**
 * The spec's wording of zod's issues (an IssueWording for shared/zodIssues.ts, which walks the issues): turns
 * them into messages for people who write YAML: "missing required field", "unknown field (did you
 * mean …?)", "expected a list, got a string". Each problem keeps the path of the field so the caller can add the
 * line and column. One unknown field gives one problem located at that key.
 */

type Issue = z.core.$ZodIssue;

export const ADLA_RETIRED =
  'Azure Data Lake Analytics (AdlaStep) was retired on 2024-02-29 and cannot run; port the U-SQL job to a ' +
  '"databricks" step (Spark), or run your own tool from a "command" step';

export function problemsFromZod(issues: readonly Issue[], raw: unknown, schema: z.ZodType): SpecProblem[] {
  return zodProblems(issues, {
    unknownKey: (key, path) => unknownField(key, fieldsAt(schema, raw, path)),
    describe: (issue, path) => fromIssue(issue, path, raw),
  });
}

function fromIssue(issue: Issue, path: PathSegment[], raw: unknown): SpecProblem[] {
  const value = valueAt(raw, path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return [{ path, message: `missing required field "${String(path.at(-1))}"` }];
      return [{ path, message: `expected ${expectedName(issue.expected)}, got ${describe(value)}` }];
    case 'invalid_union':
      if (issue.discriminator === 'type' && path.at(-1) === 'type') {
        if (value === 'adla') return [{ path, message: ADLA_RETIRED }];
        if (value === undefined) {
          return [{ path, message: `missing required field "type"; use one of ${STEP_TYPES.join(', ')}` }];
        }
        return [
          {
            path,
            message: `unknown step type ${JSON.stringify(value)}${typeof value === 'string' ? didYouMean(value, STEP_TYPES) : ''}; use one of ${STEP_TYPES.join(', ')}`,
          },
        ];
      }
      return [{ path, message: issue.message }];
    case 'invalid_key': {
      const inner = issue.issues[0];
      const key = String(path.at(-1));
      return [{ path, message: `name "${key}" ${inner?.message ?? 'is not valid'}`, key: true }];
    }
    case 'too_small':
      if (issue.origin === 'array' && issue.message.startsWith('Too small')) {
        return [{ path, message: `must list at least ${issue.minimum} item(s)` }];
      }
      if (issue.origin === 'number' || issue.origin === 'int') {
        return [
          {
            path,
            message: `must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}, not ${describe(value)}`,
          },
        ];
      }
      return [{ path, message: issue.message.startsWith('Too small') ? 'must not be empty' : issue.message }];
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return [
          {
            path,
            message: `must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, not ${describe(value)}`,
          },
        ];
      }
      return [{ path, message: issue.message }];
    case 'invalid_value':
      return [
        {
          path,
          message: issue.message.startsWith('Invalid')
            ? `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
            : issue.message,
        },
      ];
    case 'invalid_format':
      // The schema's own rule text ("must start with a letter…"), after the offending value.
      return [{ path, message: `${JSON.stringify(value)} ${issue.message}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function unknownField(key: string, allowed: string[]): string {
  const hint = didYouMean(key, allowed);
  if (hint || allowed.length === 0) return `unknown field "${key}"${hint}`;
  return `unknown field "${key}"; allowed here: ${allowed.join(', ')}`;
}

function expectedName(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping (key: value)',
    record: 'a mapping (key: value)',
    null: 'nothing',
  };
  return names[expected] ?? expected;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** The field names the schema allows at `path` (for "did you mean"), following the raw value through unions. */
function fieldsAt(schema: z.ZodType, raw: unknown, path: readonly PathSegment[]): string[] {
  let node: z.core.$ZodType | undefined = schema;
  let value: unknown = raw;
  for (let i = 0; i <= path.length && node; i++) {
    node = unwrap(node, value);
    if (i === path.length) break;
    const def = node?._zod.def as unknown as Record<string, unknown> & { type: string };
    const seg = path[i];
    value = (value as Record<string | number, unknown> | undefined)?.[seg];
    if (def.type === 'object') node = (def.shape as Record<string, z.core.$ZodType>)[String(seg)];
    else if (def.type === 'array') node = def.element as z.core.$ZodType;
    else if (def.type === 'record') node = def.valueType as z.core.$ZodType;
    else node = undefined;
  }
  const def = node?._zod.def as unknown as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Looks through optional/default/pipe wrappers, and picks the union member that matches the raw value. */
function unwrap(node: z.core.$ZodType, value: unknown): z.core.$ZodType | undefined {
  for (let guard = 0; guard < 20; guard++) {
    const def = node._zod.def as unknown as Record<string, unknown> & { type: string };
    if (['optional', 'default', 'nullable', 'prefault', 'readonly', 'nonoptional'].includes(def.type)) {
      node = def.innerType as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      node = def.in as z.core.$ZodType;
    } else if (def.type === 'union') {
      const options = def.options as z.core.$ZodType[];
      const discriminator = def.discriminator as string | undefined;
      const objects = options.filter((o) => (o._zod.def as { type: string }).type === 'object');
      const match = discriminator
        ? objects.find((o) => {
            const shape = (o._zod.def as unknown as { shape: Record<string, z.core.$ZodType> }).shape;
            const lit = shape[discriminator]?._zod.def as unknown as { values?: unknown[] };
            return lit?.values?.includes((value as Record<string, unknown> | undefined)?.[discriminator]);
          })
        : objects[0];
      if (!match) return undefined;
      node = match;
    } else {
      return node;
    }
  }
  return undefined;
}
