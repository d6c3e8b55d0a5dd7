import { CONTAINERS } from '../store/names';
import { JobMessage, type BlobLocation } from './messages';

/**
 * A queue message holds at most 64 KiB, and base64 costs a third: a job whose JSON is larger than this (long
 * arguments, large `env` values, many inputs) travels as a blob, and the queue carries a pointer to it.
 */
export const MAX_JOB_MESSAGE_JSON_BYTES = 46 * 1024;

/** Where a job's whole message is kept when it does not fit a queue message: next to the attempt's log. */
export function jobPayloadLocation(job: Pick<JobMessage, 'runId' | 'step' | 'attempt'>): BlobLocation {
  return { container: CONTAINERS.logs, path: `${job.runId}/${job.step}/attempt-${job.attempt}.job.json` };
}

/**
 * The message to put on the compute queue: the job itself, or, when its JSON would not fit, a copy without the
 * variable-size parts (program arguments, environment, inputs, outputs) whose `payloadBlob` names the blob `write`
 * stored the whole job in.
 */
export async function offloadLargeJob(
  job: JobMessage,
  write: (location: BlobLocation, text: string) => Promise<void>,
): Promise<JobMessage> {
  const text = JSON.stringify(job);
  if (Buffer.byteLength(text, 'utf8') <= MAX_JOB_MESSAGE_JSON_BYTES) return job;
  const payloadBlob = jobPayloadLocation(job);
  await write(payloadBlob, text);
  return { ...job, args: [], env: {}, inputs: [], outputs: [], payloadBlob };
}

/** The whole job for a message from the queue: the message itself, or the job stored in its `payloadBlob`. */
export async function resolveJobPayload(
  message: JobMessage,
  read: (location: BlobLocation) => Promise<string>,
): Promise<JobMessage> {
  if (!message.payloadBlob) return message;
  const job = JobMessage.parse(JSON.parse(await read(message.payloadBlob)));
  if (job.runId !== message.runId || job.step !== message.step || job.attempt !== message.attempt) {
    throw new Error(`the job payload ${message.payloadBlob.path} belongs to another attempt`);
  }
  return { ...job, payloadBlob: undefined };
}

/** One argument or environment entry (`NAME=value`) of a process: Linux refuses longer ones (MAX_ARG_STRLEN). */
export const MAX_PROCESS_STRING_BYTES = 128 * 1024 - 1;
/** Arguments and environment of a step together (Linux allows 2 MiB with the worker's own environment). */
export const MAX_PROCESS_STRINGS_BYTES = 1024 * 1024;

/**
 * Problems with a step's program arguments and environment (after parameters are bound) that would make the
 * operating system refuse to start it: each string and all of them together are bounded.
 */
export function processSizeIssues(
  stepIndex: number,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  let total = 0;
  const limit = `${Math.round(MAX_PROCESS_STRING_BYTES / 1024)} KiB`;
  args.forEach((arg, j) => {
    const bytes = Buffer.byteLength(arg, 'utf8') + 1;
    total += bytes;
    if (bytes > MAX_PROCESS_STRING_BYTES)
      issues.push({
        path: `steps[${stepIndex}].arguments[${j}]`,
        message: `is ${bytes} bytes (with parameters bound); one argument may be at most ${limit}: pass large values in a file through inputs`,
      });
  });
  for (const [name, value] of Object.entries(env)) {
    const bytes = Buffer.byteLength(`${name}=${value}`, 'utf8') + 1;
    total += bytes;
    if (bytes > MAX_PROCESS_STRING_BYTES)
      issues.push({
        path: `steps[${stepIndex}].env.${name}`,
        message: `is ${bytes} bytes (with parameters bound); one environment variable may be at most ${limit}: pass large values in a file through inputs`,
      });
  }
  if (issues.length === 0 && total > MAX_PROCESS_STRINGS_BYTES)
    issues.push({
      path: `steps[${stepIndex}]`,
      message: `arguments and env add up to ${total} bytes; a step may pass at most ${MAX_PROCESS_STRINGS_BYTES / 1024 / 1024} MiB to its process: pass large values in a file through inputs`,
    });
  return issues;
}
