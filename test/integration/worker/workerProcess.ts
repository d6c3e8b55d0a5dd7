/**
 * A worker in its own process, for the test that kills a worker with SIGKILL. Settings come from the environment:
 * TEST_STORAGE (connection string), TEST_COMPUTE, TEST_WORK_DIR, TEST_VISIBILITY (seconds).
 */
import { createStorageClients } from '../../../shared/store/clients';
import { createWorker } from '../../../worker';

const w = createWorker(
  createStorageClients({ kind: 'connectionString', connectionString: process.env.TEST_STORAGE! }),
  {
    compute: process.env.TEST_COMPUTE!,
    workDir: process.env.TEST_WORK_DIR!,
    visibilityTimeoutSeconds: Number(process.env.TEST_VISIBILITY ?? '60'),
    pollMaxMs: 200,
    log: (line) => console.log(line),
  },
);
void w.run();
