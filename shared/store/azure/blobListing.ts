import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { BlobLocation } from '../../compute/messages';
import type { BlobInfo } from '../../reuse/key';
import type { BlobListing } from '../repositories';
import { selectLocationBlobs } from '../blobSelection';
import { isNotFound } from './storageErrors';

/**
 * The container of a location that names a registered datastore (a data_transfer step's source): its registered
 * container, maybe in another account; undefined when the name is the container of the workspace's account.
 */
export type OtherAccountContainer = (name: string) => Promise<ContainerClient | undefined>;

/** Blob listings with their Content-MD5, ETag and size: one List Blobs call per 5,000 blobs, nothing downloaded. */
export class AzureBlobListing implements BlobListing {
  constructor(
    private readonly blobs: BlobServiceClient,
    private readonly otherAccount?: OtherAccountContainer,
  ) {}

  async list(location: BlobLocation): Promise<BlobInfo[]> {
    const container =
      (await this.otherAccount?.(location.container)) ?? this.blobs.getContainerClient(location.container);
    const found: (BlobInfo & { folderMarker?: boolean })[] = [];
    try {
      for await (const blob of container.listBlobsFlat({ prefix: location.path || undefined, includeMetadata: true })) {
        const info: BlobInfo & { folderMarker?: boolean } = {
          name: blob.name,
          size: blob.properties.contentLength ?? 0,
          etag: blob.properties.etag,
        };
        const md5 = blob.properties.contentMD5;
        if (md5 && md5.length > 0) info.md5 = Buffer.from(md5).toString('base64');
        if (blob.metadata?.hdi_isfolder === 'true') info.folderMarker = true;
        found.push(info);
      }
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return selectLocationBlobs(location.path, found);
  }
}
