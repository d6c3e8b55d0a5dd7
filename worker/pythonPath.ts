import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The folder holding the `sluice` and `azureml` Python packages (worker/python). Found next to this file when run
 * from source (tsx), or at the repository's worker/python when run from dist/worker.
 */
export function pythonPackageDir(): string {
  const candidates = [join(__dirname, 'python'), resolve(__dirname, '..', '..', 'worker', 'python')];
  for (const dir of candidates) if (existsSync(join(dir, 'sluice', 'run.py'))) return dir;
  throw new Error(`worker/python (the Sluice run context) was not found; looked in ${candidates.join(', ')}`);
}
