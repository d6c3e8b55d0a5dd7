import type { z } from 'zod';
import { describeParameters } from '../../../engine/parameters';
import { ConflictError, UserInputError, type FieldIssue } from '../../../errors';
import { normalizeRelativePath, validateSpec, type PipelineSpec } from '../../../spec';
import type { PublishedParameter, PublishedPipelineRecord } from '../../../store/publishedModel';
import type { Store } from '../../../store/repositories';
import { readSpec } from '../../submit/preparePipeline';
import { formatIssuePath } from '../../validate';
import type { PublishBody } from './schemas';

type Body = z.output<typeof PublishBody>;

/** What a published pipeline pins: the spec (stored by hash), its snapshots, and where it came from. */
interface Source {
  spec: PipelineSpec;
  snapshots: Record<string, string>;
  sourceRunId?: string;
  continueOnStepFailure?: boolean;
}

/**
 * Builds the record of a new published pipeline from a spec (object, text or stored id plus its snapshots) or from
 * a completed run. Every source directory must have a stored snapshot, so an endpoint can never fail later for a
 * missing one; parameters without defaults are allowed (callers must then give them).
 */
export async function preparePublish(
  store: Store,
  body: Body,
  meta: { id: string; now: string; createdBy?: string },
): Promise<PublishedPipelineRecord> {
  const source = await readSource(store, body);
  const snapshots = await pinSnapshots(store, source.spec, source.snapshots, source.sourceRunId !== undefined);
  const stored = await store.pipelines.put(source.spec, {
    name: source.spec.name,
    description: source.spec.description,
  });
  const record: PublishedPipelineRecord = {
    id: meta.id,
    name: body.name,
    status: 'Active',
    pipelineId: stored.id,
    pipelineName: source.spec.name,
    snapshots,
    parameters: parametersOf(source.spec),
    continueOnStepFailure: body.continueOnStepFailure ?? source.continueOnStepFailure ?? false,
    createdAt: meta.now,
  };
  if (body.description !== undefined) record.description = body.description;
  if (body.version !== undefined) record.version = body.version;
  if (source.sourceRunId !== undefined) record.sourceRunId = source.sourceRunId;
  if (meta.createdBy !== undefined) record.createdBy = meta.createdBy;
  return record;
}

async function readSource(store: Store, body: Body): Promise<Source> {
  const given = (['pipeline', 'pipelineId', 'runId'] as const).filter((k) => body[k] !== undefined);
  if (given.length === 0) {
    throw UserInputError.field(
      'body.pipeline',
      'is required: the pipeline spec (object or YAML/JSON text), or give pipelineId (a stored spec) or runId (a completed run)',
    );
  }
  if (given.length > 1) {
    throw UserInputError.field(
      `body.${given[1]}`,
      `give one of pipeline, pipelineId or runId, not ${given.join(' and ')}`,
    );
  }
  if (body.runId === undefined) {
    const spec = await readSpec(store, { ...body, parameters: {}, dataPaths: {} });
    return { spec, snapshots: body.snapshots };
  }
  if (Object.keys(body.snapshots).length > 0) {
    throw UserInputError.field('body.snapshots', "leave it out with runId: the run's snapshots are published");
  }
  const run = await store.runs.get(body.runId);
  if (!run) {
    throw UserInputError.field('body.runId', `no run with id "${body.runId}" exists; list runs with GET /api/runs`);
  }
  if (run.status !== 'Completed') {
    throw new ConflictError(
      `Run "${run.id}" is ${run.status}; only a Completed run can be published (or publish its spec instead).`,
      'RunNotCompleted',
      { runId: run.id, status: run.status },
    );
  }
  const pipeline = await store.pipelines.get(run.pipelineId);
  if (!pipeline) throw new Error(`Run "${run.id}" names pipeline "${run.pipelineId}", which is not stored.`);
  return {
    spec: validateSpec(pipeline.spec),
    snapshots: run.snapshots ?? {},
    sourceRunId: run.id,
    continueOnStepFailure: run.continueOnStepFailure,
  };
}

/**
 * The snapshot of every source directory, checked to exist. A snapshot given for a directory no step uses is refused
 * (it would be silently ignored); a run's snapshots are taken as they are.
 */
async function pinSnapshots(
  store: Store,
  spec: PipelineSpec,
  given: Record<string, string>,
  fromRun: boolean,
): Promise<Record<string, string>> {
  const normalized = new Map(Object.entries(given).map(([dir, id]) => [normalizeRelativePath(dir), { dir, id }]));
  const pinned: Record<string, string> = {};
  const issues: FieldIssue[] = [];
  for (const step of spec.steps) {
    const raw = (step as { source_directory?: unknown }).source_directory;
    if (typeof raw !== 'string') continue;
    const dir = normalizeRelativePath(raw);
    if (dir in pinned) continue;
    const entry = normalized.get(dir);
    if (!entry) {
      issues.push({
        path: formatIssuePath('body', ['snapshots', dir]),
        message:
          `step "${step.name}" runs from source_directory "${dir}", which has no snapshot; upload it with ` +
          'POST /api/snapshots and pass its id here (sluice publish does both)',
      });
      continue;
    }
    if (!(await store.snapshots.exists(entry.id))) {
      issues.push({
        path: formatIssuePath('body', ['snapshots', entry.dir]),
        message: fromRun
          ? `the run's snapshot "${entry.id}" is no longer stored; publish the spec with fresh snapshots instead`
          : `no snapshot with id "${entry.id}" is stored; upload the source directory with POST /api/snapshots first`,
      });
      continue;
    }
    pinned[dir] = entry.id;
  }
  const directories = new Set(
    spec.steps
      .map((step) => (step as { source_directory?: unknown }).source_directory)
      .filter((raw): raw is string => typeof raw === 'string')
      .map((raw) => normalizeRelativePath(raw)),
  );
  for (const [dir, entry] of fromRun ? [] : normalized) {
    if (directories.has(dir)) continue;
    const known = [...directories].map((d) => `"${d}"`).join(', ');
    issues.push({
      path: formatIssuePath('body', ['snapshots', entry.dir]),
      message:
        `no step runs from source_directory "${entry.dir}", so this snapshot would be ignored; remove it` +
        (known ? ` (the steps' source directories: ${known})` : ' (no step has a source_directory)'),
    });
  }
  if (issues.length) {
    const [first, ...rest] = issues;
    const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
    throw new UserInputError(`${first.path}: ${first.message}${more}`, issues);
  }
  return pinned;
}

function parametersOf(spec: PipelineSpec): PublishedParameter[] {
  return describeParameters(spec).map((d) => {
    const p: PublishedParameter = { name: d.name, type: d.type, required: d.required };
    if (d.default !== undefined) p.default = d.default;
    if (d.description !== undefined) p.description = d.description;
    return p;
  });
}
