import type { HttpResponseInit } from '@azure/functions';
import type { ApiResponse } from '../../shared/api';

/** The API core's response as the Functions response; a streamed body is passed on as an async iterable. */
export function toHttpResponse(response: ApiResponse): HttpResponseInit {
  return { status: response.status, headers: response.headers, body: response.body };
}
