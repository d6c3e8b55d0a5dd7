import type { HostExtension } from './extension';

/** The extensions every host runs. The Durable Functions engine registers itself here (local/durable). */
export function builtInExtensions(): HostExtension[] {
  return [];
}
