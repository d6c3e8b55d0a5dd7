import { ResourceFactoryResolver, type ModelBindingData } from '@azure/functions-extensions-base';

/** What a deferred blob binding hands the function: where the blob is, never its content. */
export interface BlobReference {
  connection?: string;
  container?: string;
  name?: string;
}

const SOURCE = 'AzureStorageBlobs';

/**
 * Lets a blob trigger declared with `sdkBinding: true` receive a {@link BlobReference}: the host then sends the
 * blob's coordinates (model binding data) instead of reading the blob, so a multi-GB file costs the host nothing.
 * @azure/functions turns model binding data into a value through the factory registered for its source; this one
 * only reads the coordinates (a factory already registered, e.g. by an SDK-type package, is kept).
 */
export function registerBlobReferences(): void {
  const resolver = ResourceFactoryResolver.getInstance();
  if (resolver.hasResourceFactory(SOURCE)) return;
  resolver.registerResourceFactory(SOURCE, (data) => readReference(Array.isArray(data) ? data[0] : data));
}

function readReference(data: ModelBindingData | undefined): BlobReference {
  try {
    const content = JSON.parse(Buffer.from(data?.content ?? '').toString('utf8')) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { connection: str(content.Connection), container: str(content.ContainerName), name: str(content.BlobName) };
  } catch {
    return {};
  }
}
