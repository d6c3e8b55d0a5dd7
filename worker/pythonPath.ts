import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The folder holding the `sluice` and `azureml` Python packages (the repository's python/, the same package users
 * install with `pip install ./python`). Found from worker/ when run from source (tsx), or from dist/worker.
 */
export function pythonPackageDir(): string {
  const candidates = [resolve(__dirname, '..', 'python'), resolve(__dirname, '..', '..', 'python')];
  for (const dir of candidates) if (existsSync(join(dir, 'sluice', 'run.py'))) return dir;
  throw new Error(`python/ (the Sluice run context) was not found; looked in ${candidates.join(', ')}`);
}
