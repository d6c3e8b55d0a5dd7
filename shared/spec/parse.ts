import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import { UserInputError, type FieldIssue } from '../errors';
import { positionOf, yamlLocator, type Locator } from './locate';
import { formatPath } from './model';
import { PipelineSpec } from './schema';
import { validateSemantics, type SpecProblem } from './validate';
import { problemsFromZod } from './zodIssues';

/**
 * Reads a pipeline spec from YAML or JSON text into a validated PipelineSpec, or throws one UserInputError that
 * lists every problem with its path and, when the text is at hand, line and column. One parser (yaml) serves both
 * formats for positions; JSON text is also checked with JSON.parse so that YAML-only syntax is not accepted in a
 * `.json` file.
 */

export interface ParseSpecOptions {
  /** Default: from the filename extension (`.json` → json), else yaml. */
  format?: 'yaml' | 'json';
  /** Shown in the error message. */
  filename?: string;
}

export const SPEC_ERROR_CODE = 'InvalidPipelineSpec';

/** Spec text longer than this is refused (a spec with hundreds of steps is a few tens of KiB). */
export const MAX_SPEC_TEXT_BYTES = 1024 * 1024;
/** Aliases (`*name`) a YAML spec may expand; more is refused as an alias bomb. */
export const MAX_SPEC_ALIASES = 100;
/** Nesting of mappings and lists a spec may have (the schema itself needs fewer than ten levels). */
export const MAX_SPEC_DEPTH = 64;

export function parseSpec(text: string, options: ParseSpecOptions = {}): PipelineSpec {
  if (Buffer.byteLength(text, 'utf8') > MAX_SPEC_TEXT_BYTES) {
    throw specError(
      [{ path: [], message: `the spec text is larger than ${MAX_SPEC_TEXT_BYTES / 1024} KiB; split the pipeline` }],
      options.filename,
    );
  }
  const format = options.format ?? (options.filename?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true, merge: true });
  const syntax = (message: string, offset: number): SpecProblemAt => ({
    path: [],
    message,
    position: positionOf(counter, offset),
  });

  let value: unknown;
  if (format === 'json') {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw specError([jsonSyntaxProblem((err as Error).message, doc.errors, counter)], options.filename);
    }
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length)
      throw specError(
        duplicates.map((e) => syntax(e.message, e.pos[0])),
        options.filename,
      );
  } else {
    if (doc.errors.length) {
      throw specError(
        doc.errors.map((e) => syntax(`YAML syntax error: ${e.message}`, e.pos[0])),
        options.filename,
      );
    }
    try {
      value = doc.toJS({ maxAliasCount: MAX_SPEC_ALIASES });
    } catch (err) {
      // yaml throws a ReferenceError for an alias bomb ("Excessive alias count"), a RangeError for deep nesting.
      if (!(err instanceof ReferenceError || err instanceof RangeError)) throw err;
      throw specError(
        [
          {
            path: [],
            message:
              err instanceof ReferenceError
                ? `the YAML expands aliases (*name) too often (more than ${MAX_SPEC_ALIASES} expansions, an ` +
                  'alias bomb); write the values out or use fewer aliases'
                : 'the YAML is nested too deeply',
          },
        ],
        options.filename,
      );
    }
  }
  return validateSpec(value, { filename: options.filename, locate: yamlLocator(doc, counter) });
}

export interface ValidateSpecOptions {
  filename?: string;
  /** Adds line and column to problems (parseSpec passes one for the text it parsed). */
  locate?: Locator;
}

/** How deeply objects and arrays nest in a value (0 for a scalar); iterative, so any depth is safe to measure. */
export function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Validates a spec that is already a value (e.g. the `pipeline` object of a JSON request body). */
export function validateSpec(value: unknown, options: ValidateSpecOptions = {}): PipelineSpec {
  const locate = options.locate ?? (() => undefined);
  if (nestingDepth(value) > MAX_SPEC_DEPTH) {
    throw specError(
      [{ path: [], message: `the spec is nested more than ${MAX_SPEC_DEPTH} levels deep` }],
      options.filename,
    );
  }
  const at = (p: SpecProblem): SpecProblemAt => ({ ...p, position: locate(p.path, p.key) });
  if (value === null || value === undefined) {
    throw specError([{ path: [], message: 'the spec is empty; it needs at least name and steps' }], options.filename);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw specError(
      [
        at({
          path: [],
          message: `expected a mapping with name and steps at the top level, got ${Array.isArray(value) ? 'a list' : typeof value}`,
        }),
      ],
      options.filename,
    );
  }
  const parsed = PipelineSpec.safeParse(value);
  if (!parsed.success) {
    throw specError(problemsFromZod(parsed.error.issues, value, PipelineSpec).map(at), options.filename);
  }
  const problems = validateSemantics(parsed.data);
  if (problems.length) throw specError(problems.map(at), options.filename);
  return parsed.data;
}

/**
 * JSON.parse gives an offset only for some errors ("… in JSON at position 6"); otherwise the yaml parser, which read
 * the same text, usually knows where it broke.
 */
function jsonSyntaxProblem(message: string, yamlErrors: readonly YAMLError[], counter: LineCounter): SpecProblemAt {
  const text = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const offset = /position (\d+)/.exec(message)?.[1] ?? yamlErrors[0]?.pos[0];
  const problem: SpecProblemAt = { path: [], message: `JSON syntax error: ${text}` };
  if (offset !== undefined) problem.position = positionOf(counter, Number(offset));
  return problem;
}

interface SpecProblemAt extends SpecProblem {
  position?: { line: number; column: number };
}

const MAX_LISTED = 50;

function specError(problems: SpecProblemAt[], filename: string | undefined): UserInputError {
  const sorted = problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const pa = a.p.position;
      const pb = b.p.position;
      if (pa && pb) return pa.line - pb.line || pa.column - pb.column || a.i - b.i;
      return pa ? -1 : pb ? 1 : a.i - b.i;
    })
    .map(({ p }) => p);
  const issues: FieldIssue[] = sorted.map((p) => {
    const issue: FieldIssue = { path: formatPath(p.path), message: p.message };
    if (p.position) {
      issue.line = p.position.line;
      issue.column = p.position.column;
    }
    return issue;
  });
  const lines = issues.slice(0, MAX_LISTED).map((i) => `  ${describeIssue(i)}`);
  if (issues.length > MAX_LISTED) lines.push(`  … and ${issues.length - MAX_LISTED} more`);
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const header = `Invalid pipeline spec${filename ? ` ${filename}` : ''} (${count}):`;
  return new UserInputError([header, ...lines].join('\n'), issues, SPEC_ERROR_CODE);
}

/** `steps[1].arguments[3] (line 12, column 7): unknown data "x"` */
export function describeIssue(issue: FieldIssue): string {
  const where = issue.line !== undefined ? `line ${issue.line}, column ${issue.column}` : '';
  const label = issue.path && where ? `${issue.path} (${where})` : issue.path || where;
  return label ? `${label}: ${issue.message}` : issue.message;
}
