import type { TokenCredential } from '@azure/identity';
import { SETTINGS } from '../config';

/** Where telemetry goes: parsed from APPLICATIONINSIGHTS_CONNECTION_STRING and _AUTHENTICATION_STRING. */
export interface TelemetrySettings {
  instrumentationKey: string;
  /** e.g. `https://westeurope-5.in.applicationinsights.azure.com/` */
  ingestionEndpoint: string;
  /** Client id of the user-assigned identity that signs the telemetry (`ClientId=...;Authorization=AAD`). */
  clientId?: string;
}

const pairs = (text: string) =>
  Object.fromEntries(
    text
      .split(';')
      .map((p) => p.split('='))
      .filter((kv) => kv.length >= 2)
      .map(([k, ...v]) => [k.trim().toLowerCase(), v.join('=').trim()]),
  );

/** The settings, or undefined when no connection string is set (telemetry off, e.g. locally). */
export function telemetrySettings(env: NodeJS.ProcessEnv = process.env): TelemetrySettings | undefined {
  const connection = env[SETTINGS.telemetryConnectionString]?.trim();
  if (!connection) return undefined;
  const c = pairs(connection);
  if (!c.instrumentationkey) return undefined;
  const auth = pairs(env[SETTINGS.telemetryAuthentication] ?? '');
  return {
    instrumentationKey: c.instrumentationkey,
    ingestionEndpoint: c.ingestionendpoint || 'https://dc.services.visualstudio.com/',
    clientId: auth.clientid || undefined,
  };
}

/** The token audience of Application Insights ingestion with Microsoft Entra ID. */
export const INGESTION_SCOPE = 'https://monitor.azure.com//.default';

/**
 * Sends custom events to Application Insights' ingestion endpoint (v2.1/track), signed with an Entra token (the
 * component accepts no instrumentation-key-only telemetry). Events are buffered and sent by {@link flush}, every few
 * seconds and at the end; a failed send is reported to `log` and dropped: telemetry never holds up a job.
 */
export class AppInsightsEvents {
  private buffer: object[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly credential: TokenCredential,
    private readonly role: { name: string; instance: string },
    private readonly log: (line: string) => void,
    flushEveryMs = 5000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
    this.timer.unref();
  }

  event(name: string, properties: Record<string, string>, measurements: Record<string, number> = {}): void {
    this.buffer.push({
      name: 'Microsoft.ApplicationInsights.Event',
      time: new Date().toISOString(),
      iKey: this.settings.instrumentationKey,
      tags: { 'ai.cloud.role': this.role.name, 'ai.cloud.roleInstance': this.role.instance },
      data: { baseType: 'EventData', baseData: { ver: 2, name, properties, measurements } },
    });
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    try {
      const token = await this.credential.getToken(INGESTION_SCOPE);
      if (!token) throw new Error('no token for Application Insights ingestion');
      const url = new URL('v2.1/track', this.settings.ingestionEndpoint.replace(/\/?$/, '/'));
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token.token}` },
        body: JSON.stringify(batch),
      });
      if (!res.ok) throw new Error(`ingestion answered ${res.status}`);
    } catch (err) {
      this.log(`telemetry: ${batch.length} event(s) not sent: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
