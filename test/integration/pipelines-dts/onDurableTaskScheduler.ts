// Imported first by each file here: the pipeline stacks of this process serve a copy of the app whose host.json asks
// for the Durable Task Scheduler (storageProvider.type azureManaged), as `durableBackend: 'durableTaskScheduler'`
// deploys it. The local host serves it on its own engine over Azurite, so the same tests must give the same results.
import { DURABLE_PROVIDER_VARIABLE } from '../pipelines/stack';

process.env[DURABLE_PROVIDER_VARIABLE] = 'azureManaged';
