/** Path of the Durable HTTP API on the host, as on Azure. */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
/** The connection name the status URLs carry (`Storage` = AzureWebJobsStorage). */
export const CONNECTION_NAME = 'Storage';

/** Where the app's own durable client sends its calls: below the webhook path, behind a per-process token. */
export const RPC_SEGMENT = 'rpc';

/**
 * The management URLs for one instance (`INSTANCEID` as placeholder in the client binding), §1.6 / HttpApiHandler.
 * As on Azure they carry the extension's system key (`code=`), which the webhooks require.
 */
export function managementUrls(origin: string, hub: string, instanceId: string, code: string): Record<string, string> {
  const base = `${origin}${WEBHOOK_PATH}/instances/${encodeURIComponent(instanceId)}`;
  const q = `taskHub=${encodeURIComponent(hub)}&connection=${CONNECTION_NAME}&code=${encodeURIComponent(code)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${base}?${q}`,
    sendEventPostUri: `${base}/raiseEvent/{eventName}?${q}`,
    terminatePostUri: `${base}/terminate?reason={text}&${q}`,
    rewindPostUri: `${base}/rewind?reason={text}&${q}`,
    purgeHistoryDeleteUri: `${base}?${q}`,
    restartPostUri: `${base}/restart?${q}`,
    suspendPostUri: `${base}/suspend?reason={text}&${q}`,
    resumePostUri: `${base}/resume?reason={text}&${q}`,
  };
}

/**
 * The value of a `durableClient` input binding, as the extension serialises it for out-of-process workers. The SDK
 * sends its calls to `rpcBaseUrl` (loopback, same API as the public webhook; on Azure a loopback-only port that needs
 * no key, here a path with a per-process token only the host and its app know) and builds check-status responses
 * from `managementUrls`, which carry the system key as `code=` like every public webhook URL.
 */
export function durableClientData(
  publicOrigin: string,
  hub: string,
  code: string,
  rpcToken: string,
): Record<string, unknown> {
  const base = `${publicOrigin}${WEBHOOK_PATH}`;
  const loopback = publicOrigin.replace(/^http:\/\/localhost(?=[:/]|$)/, 'http://127.0.0.1');
  const required = `code=${encodeURIComponent(code)}`;
  return {
    taskHubName: hub,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?${required}`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${required}`,
    },
    managementUrls: managementUrls(publicOrigin, hub, 'INSTANCEID', code),
    baseUrl: base,
    requiredQueryStringParameters: required,
    rpcBaseUrl: `${loopback}${WEBHOOK_PATH}/${RPC_SEGMENT}/${rpcToken}/`,
  };
}
