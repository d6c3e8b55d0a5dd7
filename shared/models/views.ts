import type { ModelRecord } from '../store/modelModel';

/** A model as the API shows it: Azure ML's id (`name:version`), its files, where it came from, links. */
export function modelView(baseUrl: string, m: ModelRecord) {
  const self = `${baseUrl}/models/${encodeURIComponent(m.name)}/versions/${m.version}`;
  return {
    id: `${m.name}:${m.version}`,
    name: m.name,
    version: m.version,
    description: m.description,
    tags: m.tags,
    properties: m.properties,
    framework: m.framework,
    frameworkVersion: m.frameworkVersion,
    root: m.root,
    files: m.files,
    runId: m.runId,
    step: m.step,
    experiment: m.experiment,
    createdAt: m.createdAt,
    createdBy: m.createdBy,
    links: {
      self,
      download: `${self}/files/download?path=`,
      ...(m.runId && { run: `${baseUrl}/runs/${encodeURIComponent(m.runId)}` }),
    },
  };
}
