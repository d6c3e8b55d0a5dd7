import { CLIENT_ERROR_CODES, SluiceApiError } from './errors';

/** Waits `ms`, or rejects with an `Aborted` SluiceApiError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const aborted = () =>
      new SluiceApiError({ status: 0, code: CLIENT_ERROR_CODES.aborted, message: 'The wait was aborted' });
    if (signal?.aborted) return reject(aborted());
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
