import { expandConnectionString } from '../../../shared/store/clients';
import { leanQueueService } from '../../../shared/store/leanQueue';
import { leanTables } from '../../../shared/store/leanTable';
import { BlobServiceClient } from '@azure/storage-blob';
import { taskHubNames, type TaskHubNames } from '../names';
import type { DurableOptions } from '../options';
import { LargePayloads } from './blobs';
import { HistoryTable } from './historyTable';
import { InstancesTable } from './instancesTable';
import { QueueTransport } from './queues';
import { HubLease } from './lease';

/** The storage artifacts of one task hub, opened from a connection string. */
export interface TaskHubStorage {
  names: TaskHubNames;
  history: HistoryTable;
  instances: InstancesTable;
  queues: QueueTransport;
  blobs: LargePayloads;
  lease: HubLease;
  /** Creates whatever does not exist yet. */
  ensure(): Promise<void>;
}

export function openTaskHub(
  connectionString: string,
  options: DurableOptions,
  onLeaseLost: (err: unknown) => void,
): TaskHubStorage {
  const names = taskHubNames(options.hubName, options.partitionCount);
  const insecure =
    /DefaultEndpointsProtocol=http;|Endpoint=http:/i.test(connectionString) ||
    /UseDevelopmentStorage=true/i.test(connectionString);
  const table = leanTables(expandConnectionString(connectionString), { allowInsecureConnection: insecure });
  const blobService = BlobServiceClient.fromConnectionString(connectionString);
  const blobs = new LargePayloads(blobService.getContainerClient(names.largeMessagesContainer));
  const history = new HistoryTable(table(names.historyTable), blobs, insecure);
  const instances = new InstancesTable(table(names.instancesTable), blobs, options.hubName);
  const queues = new QueueTransport(leanQueueService(connectionString), blobs);
  const lease = new HubLease(
    blobService.getContainerClient(names.leasesContainer),
    options.hubName,
    options.partitionCount,
    onLeaseLost,
  );
  return {
    names,
    history,
    instances,
    queues,
    blobs,
    lease,
    async ensure() {
      await Promise.all([
        history.ensure(),
        instances.ensure(),
        blobs.ensure(),
        queues.ensure([...names.controlQueues, names.workItemQueue]),
      ]);
    },
  };
}
