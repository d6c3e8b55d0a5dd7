import type { HttpRequest } from '@azure/functions';
import type { ApiRequest } from '../../shared/api';

/** The Functions request as the API core's request: same URL, headers and route values; the body stays lazy. */
export function toApiRequest(request: HttpRequest): ApiRequest {
  const stream = request.body;
  return {
    method: request.method,
    url: request.url,
    headers: new Headers(Object.fromEntries(request.headers.entries())),
    params: { ...request.params },
    body: stream ? (stream as unknown as AsyncIterable<Uint8Array>) : null,
  };
}
