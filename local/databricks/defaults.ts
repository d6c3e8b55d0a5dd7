import { join } from 'node:path';
import { connectionStringFor, isDevelopmentStorage } from '../azurite';

/** The accounts a local run can stage from by default: the app's storage, or Azurite on its standard ports. */
export function defaultStorage(env: NodeJS.ProcessEnv): string[] {
  const app = env.AzureWebJobsStorage;
  if (app && !isDevelopmentStorage(app)) return [app];
  return [connectionStringFor({ blobPort: 10000, queuePort: 10001, tablePort: 10002 })];
}

export function defaultDataDir(cwd: string): string {
  return join(cwd, '.sluice', 'databricks-local');
}
