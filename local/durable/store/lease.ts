import { hostname } from 'node:os';
import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';
import { HostUsageError } from '../../errors';

const LEASE_SECONDS = 30;
const RENEW_MS = 10_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One local host owns a task hub at a time: a blob lease on `<hub>-leases/taskhub.json`, renewed while the host runs.
 * A second host on the same hub fails fast instead of double-processing. A lease left by a host on this machine whose
 * process is gone (killed) is broken at once, so a restart after a crash does not wait for the lease to expire.
 */
export class HubLease {
  private lease: BlobLeaseClient | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly container: ContainerClient,
    private readonly hubName: string,
    private readonly partitionCount: number,
    private readonly onLost: (err: unknown) => void,
  ) {}

  async acquire(): Promise<void> {
    await this.container.createIfNotExists();
    const blob = this.container.getBlockBlobClient('taskhub.json');
    if (!(await blob.exists())) {
      const info = {
        TaskHubName: this.hubName,
        CreatedAt: new Date().toISOString(),
        PartitionCount: this.partitionCount,
      };
      await blob.upload(JSON.stringify(info), Buffer.byteLength(JSON.stringify(info))).catch(() => undefined);
    }
    const lease = blob.getBlobLeaseClient();
    try {
      await lease.acquireLease(LEASE_SECONDS);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      const meta = (await blob.getProperties()).metadata ?? {};
      const pid = Number(meta.sluicepid);
      if (meta.sluicehost === hostname() && pid > 0 && pid !== process.pid && !processAlive(pid)) {
        await lease.breakLease(0);
        await lease.acquireLease(LEASE_SECONDS);
      } else {
        throw new HostUsageError(
          `The task hub "${this.hubName}" is in use by another host` +
            (meta.sluicehost ? ` (process ${meta.sluicepid} on ${meta.sluicehost})` : '') +
            '. Stop that host, or give this app another hubName in host.json extensions.durableTask.',
        );
      }
    }
    this.lease = lease;
    await blob.setMetadata(
      { sluicepid: String(process.pid), sluicehost: hostname() },
      { conditions: { leaseId: lease.leaseId } },
    );
    this.timer = setInterval(() => {
      this.lease?.renewLease().catch((err: unknown) => this.onLost(err));
    }, RENEW_MS);
    this.timer.unref();
  }

  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.releaseLease().catch(() => undefined);
  }
}
