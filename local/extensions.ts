import { createDurableExtension } from './durable';
import type { HostExtension } from './extension';

/** The extensions every host runs. */
export function builtInExtensions(): HostExtension[] {
  return [createDurableExtension()];
}
