import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { JobMessage } from '../shared/compute/messages';
import { downloadInput, listInput } from './inputs';
import type { LocalBindings } from './placeholders';
import type { SnapshotCache } from './snapshotCache';

/**
 * One job's private folder, removed when the job ends:
 * `src/` the unpacked snapshot and the step's working directory; `inputs/<name>/` downloaded inputs;
 * `outputs/<name>/` output folders the step writes; `context/` the run-context files; `tmp/` TMPDIR.
 */
export interface Sandbox {
  root: string;
  src: string;
  tmp: string;
  contextFile: string;
  uploadsDir: string;
  /** Azure ML's convention: files a step writes to `./outputs` become artifacts of the step. */
  cwdOutputs: string;
}

/** `<workDir>/jobs` folders known to exist (made once per worker, not once per job). */
const jobFolders = new Set<string>();

/**
 * Makes a job's sandbox: its root and the folders the step's environment points at (`tmp/`, `context/uploads/`).
 * `src/` is made by {@link prepareSandbox}, each input's and output's folder when it is bound. Asynchronous (the
 * thread pool's, not the event loop's time: in `npm start` the host shares that loop).
 */
export async function createSandbox(workDir: string): Promise<Sandbox> {
  const jobs = join(workDir, 'jobs');
  if (!jobFolders.has(jobs)) {
    await mkdir(jobs, { recursive: true });
    jobFolders.add(jobs);
  }
  let root: string;
  try {
    root = await mkdtemp(join(jobs, 'job-'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // The jobs folder was removed under the worker (a cleaned-up temp folder): make it again.
    await mkdir(jobs, { recursive: true });
    root = await mkdtemp(join(jobs, 'job-'));
  }
  const sandbox: Sandbox = {
    root,
    src: join(root, 'src'),
    tmp: join(root, 'tmp'),
    contextFile: join(root, 'context', 'context.jsonl'),
    uploadsDir: join(root, 'context', 'uploads'),
    cwdOutputs: join(root, 'src', 'outputs'),
  };
  await Promise.all([mkdir(sandbox.tmp), mkdir(sandbox.uploadsDir, { recursive: true })]);
  return sandbox;
}

/** Removes a job's sandbox, asynchronously like {@link createSandbox}. */
export async function removeSandbox(sandbox: Sandbox): Promise<void> {
  await rm(sandbox.root, { recursive: true, force: true, maxRetries: 3 });
}

/**
 * Fills the sandbox: the snapshot (or an empty working directory), every input, and an empty folder per output.
 * Inputs named in `deferred` are only listed (`bindings.listed`): the step's kind downloads their files as it needs
 * them (a parallel step starts its processes while its mini-batches' files arrive).
 */
export async function prepareSandbox(
  sandbox: Sandbox,
  job: JobMessage,
  blobs: BlobServiceClient,
  snapshots: SnapshotCache,
  deferred: readonly string[] = [],
): Promise<LocalBindings> {
  if (job.snapshotId) await snapshots.materialize(job.snapshotId, sandbox.src);
  else await mkdir(sandbox.src);
  const bindings: LocalBindings = { inputs: {}, outputs: {} };
  // Input and output names are spec names (letters, digits, _ and -), so they are safe folder names; the index keeps
  // them distinct even if a dispatcher sent an odd one.
  for (const [i, input] of job.inputs.entries()) {
    const dest = join(sandbox.root, 'inputs', `${i}-${input.name}`);
    if (deferred.includes(input.name)) {
      const listed = await listInput(blobs, input, dest);
      (bindings.listed ??= {})[input.name] = listed;
      bindings.inputs[input.name] = listed.local;
    } else bindings.inputs[input.name] = await downloadInput(blobs, input, dest);
  }
  for (const [i, output] of job.outputs.entries()) {
    const dir = join(sandbox.root, 'outputs', `${i}-${output.name}`);
    await mkdir(dir, { recursive: true });
    bindings.outputs[output.name] = dir;
  }
  return bindings;
}

/** What a worker records about a running step so a later worker can stop it if this one dies. */
interface PidRecord {
  workerPid: number;
  pgid: number;
}

export function recordProcess(sandbox: Sandbox, pgid: number): void {
  const rec: PidRecord = { workerPid: process.pid, pgid };
  writeFileSync(join(sandbox.root, 'process.json'), JSON.stringify(rec));
}

/**
 * Stops step processes left behind by a worker that was killed (SIGKILL, OOM) and removes their sandboxes. Step
 * processes run in their own process group, so they outlive a killed worker; the job itself is not lost (its
 * message reappears), but the orphan would run on without a timeout. Only sandboxes whose worker is gone are touched.
 */
export function reapOrphans(workDir: string, log: (line: string) => void): void {
  const jobs = join(workDir, 'jobs');
  let entries: string[];
  try {
    entries = readdirSync(jobs);
  } catch {
    return;
  }
  for (const name of entries) {
    const root = join(jobs, name);
    let rec: PidRecord | undefined;
    try {
      rec = JSON.parse(readFileSync(join(root, 'process.json'), 'utf8')) as PidRecord;
    } catch {
      rec = undefined;
    }
    if (rec && isAlive(rec.workerPid)) continue;
    if (!rec) continue; // a sandbox still being prepared by a live worker, or one without a process yet
    if (process.platform !== 'win32') {
      try {
        process.kill(-rec.pgid, 'SIGKILL');
        log(`stopped process group ${rec.pgid} left by worker process ${rec.workerPid}`);
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
