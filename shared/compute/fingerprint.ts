import { createHash } from 'node:crypto';
import type { OutputFile } from './messages';

/** Base64 MD5, the encoding of a blob's Content-MD5. */
export function md5Base64(content: Buffer): string {
  return createHash('md5').update(content).digest('base64');
}

/**
 * The content fingerprint of a set of files (messages.ts `ProducedOutput.fingerprint`): SHA-256 (hex) of the JSON
 * array of `[name, size, md5]` triples sorted by name (UTF-8 byte order). Two outputs with the same files and bytes
 * have the same fingerprint wherever and whenever they were produced; an empty output has a fingerprint too.
 */
export function fingerprintFiles(files: OutputFile[]): string {
  const triples = [...files]
    .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)))
    .map((f) => [f.name, f.size, f.md5]);
  return createHash('sha256').update(JSON.stringify(triples)).digest('hex');
}
