/** Path of the Durable HTTP API on the host, as on Azure. */
export const WEBHOOK_PATH = '/runtime/webhooks/durabletask';
/** The connection name the status URLs carry (`Storage` = AzureWebJobsStorage). */
export const CONNECTION_NAME = 'Storage';

/** The management URLs for one instance (`INSTANCEID` as placeholder in the client binding), §1.6 / HttpApiHandler. */
export function managementUrls(origin: string, hub: string, instanceId: string): Record<string, string> {
  const base = `${origin}${WEBHOOK_PATH}/instances/${encodeURIComponent(instanceId)}`;
  const q = `taskHub=${encodeURIComponent(hub)}&connection=${CONNECTION_NAME}`;
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
 * sends its calls to `rpcBaseUrl` (loopback, same API as the public webhook) and builds check-status responses
 * from `managementUrls`.
 */
export function durableClientData(publicOrigin: string, hub: string): Record<string, unknown> {
  const base = `${publicOrigin}${WEBHOOK_PATH}`;
  const loopback = publicOrigin.replace(/^http:\/\/localhost(?=[:/]|$)/, 'http://127.0.0.1');
  return {
    taskHubName: hub,
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&`,
    },
    managementUrls: managementUrls(publicOrigin, hub, 'INSTANCEID'),
    baseUrl: base,
    requiredQueryStringParameters: '',
    rpcBaseUrl: `${loopback}${WEBHOOK_PATH}/`,
  };
}
