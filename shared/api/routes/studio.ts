import { z } from 'zod';
import { NotFoundError, UnauthorizedError } from '../../errors';
import { defineRoute, json } from '../route';

/** The one-time code `npm start` and `sluice studio` print in the Studio sign-in URL. */
const SignInBody = z
  .object({ code: z.string().min(1).max(256).meta({ description: 'The `signin` value of the sign-in URL' }) })
  .strict();

const StudioSession = z
  .object({
    token: z.string().meta({ description: 'A bearer token for the development key (role Sluice.Admin)' }),
    expiresAt: z.string().meta({ description: 'When the token expires (ISO 8601)' }),
  })
  .meta({ id: 'StudioSession' });

/**
 * Local mode only: exchanges a one-time sign-in code for a Studio session (a development token). Anonymous by nature
 * (the code is the credential); a code works once and for 10 minutes. In Entra mode Studio signs in with MSAL and
 * this route answers 404.
 */
export const studioSignInRoute = defineRoute({
  name: 'studioSignIn',
  method: 'POST',
  path: 'studio/sessions',
  access: 'anonymous',
  tag: 'Studio',
  summary: 'Exchange a one-time Studio sign-in code for a session token (local mode)',
  description:
    '`npm start` (and `npx sluice studio`) print `/studio/?signin=<code>`; the page posts the code here once. ' +
    'A code is valid for 10 minutes and only once; a used, expired or unknown code is a 401. Only in local mode.',
  body: { kind: 'json', schema: SignInBody },
  responses: { 201: { description: 'The session', schema: StudioSession } },
  async handler({ body, deps }) {
    if (!deps.studioSignIn) {
      throw new NotFoundError(
        'Sign-in codes exist only in local mode (SLUICE_AUTH_MODE=local); in Azure, Studio signs in with Entra ID.',
      );
    }
    const session = await deps.studioSignIn(body.code);
    if (!session) {
      throw new UnauthorizedError(
        'This sign-in code is unknown, expired or already used; get a new sign-in URL with `npx sluice studio`.',
      );
    }
    return json(201, session, { 'cache-control': 'no-store' });
  },
});

const PipelineView = z
  .object({
    id: z.string(),
    name: z.string().optional(),
    description: z.string().optional(),
    spec: z.unknown().meta({ description: 'The pipeline spec as submitted (docs/pipeline-spec.md)' }),
    createdAt: z.string(),
  })
  .meta({ id: 'Pipeline' });

/** A stored pipeline spec by id (a run's `pipelineId`): Studio draws the graph's data edges from it. */
export const getPipelineRoute = defineRoute({
  name: 'getPipeline',
  method: 'GET',
  path: 'pipelines/{pipelineId}',
  access: 'Sluice.Read',
  tag: 'Runs',
  summary: 'Get a pipeline spec by id',
  description: 'The spec a run was submitted with (its `pipelineId`: the SHA-256 of the canonical spec).',
  params: z.object({
    pipelineId: z
      .string()
      .regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits (a run’s pipelineId)' })
      .meta({ description: 'SHA-256 of the canonical spec' }),
  }),
  responses: { 200: { description: 'The pipeline', schema: PipelineView } },
  async handler({ params, deps }) {
    const record = await deps.store.pipelines.get(params.pipelineId);
    if (!record) throw new NotFoundError(`No pipeline ${params.pipelineId} is stored.`);
    return json(200, {
      id: record.id,
      name: record.name,
      description: record.description,
      spec: record.spec,
      createdAt: record.createdAt,
    });
  },
});
