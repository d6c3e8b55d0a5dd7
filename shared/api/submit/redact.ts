/**
 * Removes credentials from a message before it is stored or shown: durable-client and storage errors can quote URLs
 * that carry `code=` (function keys), `sig=` (SAS) or connection-string keys.
 */
export function redact(message: string): string {
  return message
    .replace(/\b(code|sig|key|token|AccountKey|SharedAccessSignature|access_token)=([^&;\s"']+)/gi, '$1=***')
    .replace(/Bearer\s+[A-Za-z0-9._~+/-]+=*/g, 'Bearer ***');
}
