import type { z } from 'zod';
import type * as api from '../shared/api/routes/computeTargets';

/**
 * Compute targets as the API answers them (docs/api.md#compute-targets), derived from the server's zod schemas
 * (shared/api/routes/computeTargets.ts): requests are their input types, answers their output types.
 */

/** `source`: `configured` (named by SLUICE_COMPUTE_TARGETS) or `registered` (through the API); `queue` is `compute-<name>`. */
export type ComputeTarget = z.output<typeof api.ComputeTargetView>;

export type ComputeTargetList = z.output<typeof api.ComputeTargetList>;

/** What PUT /api/compute-targets/{name} takes (every field optional). */
export type RegisterComputeTargetRequest = z.input<typeof api.PutComputeTargetBody>;
