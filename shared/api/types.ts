import type { z } from 'zod';
import type { Principal, Role } from '../auth/types';
import type { ComputeQueues } from '../compute/registry';
import type { DatastoreReach } from '../datastores/access';
import type { Store } from '../store/repositories';
import type { RunLauncher } from './launcher';

/**
 * The request and response shapes of the API core. Host adapters (functions/api for Azure Functions) convert their
 * own objects to these, so handlers and the request pipeline never see a framework type.
 */
export interface ApiRequest {
  method: string;
  /** Absolute URL as the client sent it (origin, `/api/...` path, query). */
  url: string;
  headers: Headers;
  /** Route parameters already matched by the host; `dispatch` fills them itself. */
  params: Record<string, string>;
  /** The raw body, read lazily (and only up to the route's limit). */
  body: AsyncIterable<Uint8Array> | Iterable<Uint8Array> | null;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON responses are already serialised; a streamed body (log follow) is an async iterable. */
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

export interface ApiLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
}

/** What handlers use; the adapter provides it (per request where a part depends on the invocation). */
export interface ApiDeps {
  store: Store;
  launcher: RunLauncher;
  /** Sluice's version, for health and OpenAPI. */
  version: string;
  /** Compute target of steps that name none (config().defaultCompute). */
  defaultCompute: string;
  /**
   * The compute targets steps may name (shared/compute/targets.ts). `recent`: a list read a moment ago will do (the
   * submit's check, which reads again when a step names a target missing from it).
   */
  computeTargets(options?: { recent?: boolean }): Promise<readonly string[]>;
  /**
   * When a worker last polled a compute target's queue (shared/compute/workerPresence.ts), for the warning on a run
   * whose steps wait on a target nothing serves; absent, runs carry no such warning.
   */
  workerSeen?(compute: string): Promise<Date | undefined>;
  /** The compute targets' queues (created at registration, counted for the listing); absent, nothing is created. */
  computeQueues?: ComputeQueues;
  /** Reaching datastores of other storage accounts (register checks their container); absent, they are refused. */
  datastoreReach?: DatastoreReach;
  log: ApiLogger;
  now(): Date;
  newId(): string;
  /**
   * Local mode only: redeems a one-time Studio sign-in code (shared/auth/signInCodes.ts) for a session token;
   * undefined when the code is unknown, used or expired. Absent in Entra mode (Studio signs in with MSAL there).
   */
  studioSignIn?(code: string): Promise<{ token: string; expiresAt: string } | undefined>;
  /** Log follow: how often to poll and when to end the response (the client then resumes with `offset`). */
  follow: { pollIntervalMs: number; maxDurationMs: number };
}

export type AccessRule = Role | 'anonymous';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type BodySpec =
  | {
      kind: 'json';
      schema: z.ZodType;
      /** Default 4 MiB. */
      maxBytes?: number;
      /** An empty body is accepted (the schema sees `{}`). */
      optional?: boolean;
    }
  | { kind: 'binary'; contentType: string; maxBytes: number; description: string };

export type BodyOf<B> = B extends { kind: 'json'; schema: infer S extends z.ZodType }
  ? z.output<S>
  : B extends { kind: 'binary' }
    ? Buffer
    : undefined;

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** Default `application/json`. */
  contentType?: string;
  headers?: Record<string, string>;
}

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Undefined on anonymous routes. */
  principal: Principal | undefined;
  request: ApiRequest;
  deps: ApiDeps;
  /** The whole route table (OpenAPI is generated from it). */
  routes: readonly AnyRoute[];
  /** `https://host/api`: the base of links in responses. */
  baseUrl: string;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, B extends BodySpec | undefined> {
  /** Function name in the host; also the OpenAPI operationId. */
  name: string;
  method: HttpMethod;
  /** Path template below `/api`, in Functions / OpenAPI syntax: `runs/{runId}`. */
  path: string;
  access: AccessRule;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses by status (errors are documented for every route in one place). */
  responses: Record<number, ResponseSpec>;
  /** The adapter must supply a durable-client launcher for this route. */
  usesLauncher?: boolean;
  handler(ctx: HandlerContext<z.output<P>, z.output<Q>, BodyOf<B>>): Promise<ApiResponse>;
}

/** A route with its types erased, as the route table holds it (the pipeline validates before calling). */
export type AnyRoute = RouteDef<z.ZodType, z.ZodType, BodySpec | undefined> & {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (ctx: HandlerContext<any, any, any>) => Promise<ApiResponse>;
};
