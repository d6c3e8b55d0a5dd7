import type { PipelineEndpointRecord, PublishedPipelineRecord } from '../../../store/publishedModel';

/** Records → API JSON for published pipelines and pipeline endpoints, with absolute links. */

const enc = encodeURIComponent;

export function publishedLinks(baseUrl: string, id: string): Record<string, string> {
  const self = `${baseUrl}/published-pipelines/${enc(id)}`;
  return { self, submit: `${self}/submit`, disable: `${self}/disable`, enable: `${self}/enable` };
}

export function publishedView(baseUrl: string, p: PublishedPipelineRecord) {
  const links = publishedLinks(baseUrl, p.id);
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    version: p.version,
    status: p.status,
    endpoint: links.submit,
    parameters: p.parameters.map((q) => ({
      name: q.name,
      type: q.type,
      ...(q.default !== undefined ? { default: q.default } : {}),
      required: q.required,
      ...(q.description !== undefined ? { description: q.description } : {}),
    })),
    continueOnStepFailure: p.continueOnStepFailure,
    pipelineId: p.pipelineId,
    pipelineName: p.pipelineName,
    snapshots: p.snapshots,
    sourceRunId: p.sourceRunId,
    createdAt: p.createdAt,
    createdBy: p.createdBy,
    updatedAt: p.updatedAt,
    updatedBy: p.updatedBy,
    links,
  };
}

export function endpointSubmitUrl(baseUrl: string, name: string): string {
  return `${baseUrl}/pipeline-endpoints/${enc(name)}/submit`;
}

export function versionViews(baseUrl: string, e: PipelineEndpointRecord) {
  return e.versions.map((v) => ({
    version: v.version,
    publishedPipelineId: v.publishedPipelineId,
    isDefault: v.version === e.defaultVersion,
    addedAt: v.addedAt,
    addedBy: v.addedBy,
    links: {
      publishedPipeline: `${baseUrl}/published-pipelines/${enc(v.publishedPipelineId)}`,
      submit: `${endpointSubmitUrl(baseUrl, e.name)}?version=${enc(v.version)}`,
    },
  }));
}

export function endpointView(baseUrl: string, e: PipelineEndpointRecord) {
  const self = `${baseUrl}/pipeline-endpoints/${enc(e.name)}`;
  return {
    name: e.name,
    description: e.description,
    defaultVersion: e.defaultVersion,
    versions: versionViews(baseUrl, e),
    endpoint: endpointSubmitUrl(baseUrl, e.name),
    createdAt: e.createdAt,
    createdBy: e.createdBy,
    updatedAt: e.updatedAt,
    updatedBy: e.updatedBy,
    links: { self, versions: `${self}/versions`, submit: endpointSubmitUrl(baseUrl, e.name) },
  };
}
