import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { ApiError } from './errors';

/**
 * The stand-in's DBFS and workspace: folders on disk (`<dataDir>/dbfs`, `<dataDir>/workspace`). An API path is
 * absolute and normalised before it is joined, so no path leaves its root. Streamed DBFS writes
 * (create / add-block / close) collect their blocks in memory until close writes the file whole.
 */

export const MAX_BLOCK_BYTES = 1024 * 1024;

export class FileStore {
  private readonly handles = new Map<number, { path: string; blocks: Buffer[] }>();
  private nextHandle = 1;

  constructor(readonly dataDir: string) {}

  /** `dbfs:/a/b` or `/a/b` → the file on disk. */
  dbfsFile(path: string): string {
    return join(this.dataDir, 'dbfs', confined(path.replace(/^dbfs:/, ''), 'path'));
  }

  workspaceFile(path: string): string {
    return join(this.dataDir, 'workspace', confined(path, 'path'));
  }

  async put(path: string, contentsBase64: string, overwrite: boolean): Promise<void> {
    const data = decodeBlock(contentsBase64, 'contents');
    await this.write(this.dbfsFile(path), data, overwrite, path);
  }

  async create(path: string, overwrite: boolean): Promise<number> {
    const file = this.dbfsFile(path);
    if (!overwrite && (await exists(file)))
      throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `A file or directory already exists at ${path}.`);
    const handle = this.nextHandle++;
    this.handles.set(handle, { path, blocks: [] });
    return handle;
  }

  addBlock(handle: number, dataBase64: string): void {
    const open = this.handles.get(handle);
    if (!open) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No open stream with handle ${handle}.`);
    open.blocks.push(decodeBlock(dataBase64, 'data'));
  }

  async close(handle: number): Promise<void> {
    const open = this.handles.get(handle);
    if (!open) throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `No open stream with handle ${handle}.`);
    this.handles.delete(handle);
    await this.write(this.dbfsFile(open.path), Buffer.concat(open.blocks), true, open.path);
  }

  async mkdirs(path: string): Promise<void> {
    await mkdir(this.workspaceFile(path), { recursive: true });
  }

  async importNotebook(body: Record<string, unknown>): Promise<void> {
    const path = requireString(body, 'path');
    const format = body.format ?? 'SOURCE';
    if (format !== 'SOURCE' && format !== 'AUTO')
      throw new ApiError(
        400,
        'INVALID_PARAMETER_VALUE',
        `databricks-local imports SOURCE notebooks only, not ${String(format)}.`,
      );
    if (body.language !== undefined && body.language !== 'PYTHON')
      throw new ApiError(400, 'INVALID_PARAMETER_VALUE', 'databricks-local runs Python notebooks only.');
    const content = Buffer.from(requireString(body, 'content'), 'base64');
    const file = this.workspaceFile(path);
    if (!(await exists(dirname(file))))
      throw new ApiError(404, 'RESOURCE_DOES_NOT_EXIST', `The parent folder of ${path} does not exist.`);
    await this.write(file, content, body.overwrite === true, path);
  }

  private async write(file: string, data: Buffer, overwrite: boolean, path: string): Promise<void> {
    if (!overwrite && (await exists(file)))
      throw new ApiError(400, 'RESOURCE_ALREADY_EXISTS', `A file or directory already exists at ${path}.`);
    await mkdir(dirname(file), { recursive: true });
    const partial = `${file}.partial-${process.pid}`;
    await writeFile(partial, data);
    await rename(partial, file);
  }
}

/** An absolute API path, normalised, relative to its root. */
function confined(path: string, field: string): string {
  if (!path.startsWith('/'))
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `${field} must be an absolute path, not "${path}".`);
  const normal = posix.normalize(path);
  return normal.replace(/^\/+/, '');
}

function decodeBlock(base64: string, field: string): Buffer {
  const data = Buffer.from(base64, 'base64');
  if (data.length > MAX_BLOCK_BYTES)
    throw new ApiError(400, 'MAX_BLOCK_SIZE_EXCEEDED', `${field} holds more than 1 MB; write it in blocks.`);
  return data;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '')
    throw new ApiError(400, 'INVALID_PARAMETER_VALUE', `Missing required field: ${field}`);
  return value;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
