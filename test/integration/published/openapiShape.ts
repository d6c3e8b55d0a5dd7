/**
 * A structural validator for the parts of an OpenAPI 3.x document that tools rely on (written for this test: no
 * JSON Schema of OpenAPI 3.1 and no 2020-12 validator are among our dependencies). It checks the document's
 * skeleton, every operation, parameter, request body and response, unique operationIds, path templates against
 * declared path parameters, security requirements against declared schemes, the JSON Schema keywords of every
 * schema, and that every `$ref` resolves. Returns one line per problem, each with its JSON path.
 */

type Json = Record<string, unknown>;

const ROOT_KEYS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PATH_ITEM_KEYS = [...METHODS, '$ref', 'summary', 'description', 'servers', 'parameters'];
const OPERATION_KEYS = [
  'tags',
  'summary',
  'description',
  'externalDocs',
  'operationId',
  'parameters',
  'requestBody',
  'responses',
  'callbacks',
  'deprecated',
  'security',
  'servers',
];
const PARAMETER_IN = ['query', 'header', 'path', 'cookie'];
const SCHEMA_TYPES = ['null', 'boolean', 'object', 'array', 'number', 'string', 'integer'];
const SECURITY_TYPES = ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const extension = (k: string) => k.startsWith('x-');

export function validateOpenApiShape(doc: unknown): string[] {
  const problems: string[] = [];
  const fail = (path: string, message: string) => problems.push(`${path}: ${message}`);
  if (!isObject(doc)) return ['$: the document is not an object'];

  for (const k of Object.keys(doc))
    if (!ROOT_KEYS.includes(k) && !extension(k)) fail(`$.${k}`, 'is not an OpenAPI field');
  if (typeof doc.openapi !== 'string' || !/^3\.[01]\.\d+$/.test(doc.openapi))
    fail('$.openapi', 'must be "3.0.x" or "3.1.x"');
  const info = doc.info;
  if (!isObject(info)) fail('$.info', 'is required');
  else
    for (const k of ['title', 'version'])
      if (typeof info[k] !== 'string' || !info[k]) fail(`$.info.${k}`, 'must be a non-empty string');
  if (doc.servers !== undefined) {
    if (!Array.isArray(doc.servers)) fail('$.servers', 'must be a list');
    else
      doc.servers.forEach((s, i) =>
        isObject(s) && typeof s.url === 'string' ? undefined : fail(`$.servers[${i}].url`, 'is required'),
      );
  }
  const schemes =
    isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme) || !SECURITY_TYPES.includes(String(scheme.type)))
      fail(`$.components.securitySchemes.${name}.type`, `must be one of ${SECURITY_TYPES.join(', ')}`);
    else if (scheme.type === 'http' && typeof scheme.scheme !== 'string')
      fail(`$.components.securitySchemes.${name}.scheme`, 'is required for http');
  }
  const checkSecurity = (path: string, value: unknown) => {
    if (!Array.isArray(value)) return fail(path, 'must be a list of security requirements');
    value.forEach((req, i) => {
      if (!isObject(req)) return fail(`${path}[${i}]`, 'must be an object');
      for (const [name, scopes] of Object.entries(req)) {
        if (!(name in schemes)) fail(`${path}[${i}].${name}`, 'names no security scheme in components.securitySchemes');
        if (!Array.isArray(scopes)) fail(`${path}[${i}].${name}`, 'must be a list of scopes');
      }
    });
  };
  if (doc.security !== undefined) checkSecurity('$.security', doc.security);

  const operationIds = new Map<string, string>();
  if (!isObject(doc.paths)) fail('$.paths', 'is required (an object)');
  else {
    for (const [template, item] of Object.entries(doc.paths)) {
      const at = `$.paths['${template}']`;
      if (!template.startsWith('/')) fail(at, 'a path must start with "/"');
      if (!isObject(item)) {
        fail(at, 'must be a Path Item object');
        continue;
      }
      for (const k of Object.keys(item))
        if (!PATH_ITEM_KEYS.includes(k) && !extension(k)) fail(`${at}.${k}`, 'is not a Path Item field');
      const templateParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      if (new Set(templateParams).size !== templateParams.length) fail(at, 'repeats a path parameter');
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        const opAt = `${at}.${method}`;
        if (!isObject(op)) {
          fail(opAt, 'must be an Operation object');
          continue;
        }
        for (const k of Object.keys(op))
          if (!OPERATION_KEYS.includes(k) && !extension(k)) fail(`${opAt}.${k}`, 'is not an Operation field');
        if (op.operationId !== undefined) {
          if (typeof op.operationId !== 'string') fail(`${opAt}.operationId`, 'must be a string');
          else if (operationIds.has(op.operationId))
            fail(`${opAt}.operationId`, `"${op.operationId}" is also used by ${operationIds.get(op.operationId)}`);
          else operationIds.set(op.operationId, opAt);
        }
        if (op.tags !== undefined && (!Array.isArray(op.tags) || op.tags.some((t) => typeof t !== 'string')))
          fail(`${opAt}.tags`, 'must be a list of strings');
        if (op.security !== undefined) checkSecurity(`${opAt}.security`, op.security);
        checkParameters(
          opAt,
          [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])],
          templateParams,
          fail,
        );
        if (op.requestBody !== undefined) {
          const body = op.requestBody as Json;
          if (!isObject(body) || !isObject(body.content) || Object.keys(body.content).length === 0)
            fail(`${opAt}.requestBody.content`, 'is required and must name at least one media type');
          else checkContent(`${opAt}.requestBody.content`, body.content, fail);
        }
        if (!isObject(op.responses) || Object.keys(op.responses).length === 0)
          fail(`${opAt}.responses`, 'must hold at least one response');
        else {
          for (const [status, response] of Object.entries(op.responses)) {
            const rAt = `${opAt}.responses['${status}']`;
            if (!/^([1-5](\d\d|XX)|default)$/.test(status))
              fail(rAt, 'is not an HTTP status code, a range like 4XX, or "default"');
            if (!isObject(response)) {
              fail(rAt, 'must be a Response object');
              continue;
            }
            if (typeof response.$ref === 'string') continue;
            if (typeof response.description !== 'string') fail(`${rAt}.description`, 'is required');
            if (response.content !== undefined) checkContent(`${rAt}.content`, response.content, fail);
            if (response.headers !== undefined) {
              for (const [h, header] of Object.entries(response.headers as Json)) {
                if (!isObject(header) || (header.schema === undefined && header.content === undefined))
                  fail(`${rAt}.headers.${h}`, 'needs a schema');
              }
            }
          }
        }
      }
    }
  }
  if (isObject(doc.components) && isObject(doc.components.schemas)) {
    for (const [name, schema] of Object.entries(doc.components.schemas))
      checkSchema(`$.components.schemas.${name}`, schema, fail);
  }
  checkRefs(doc, doc, '$', fail);
  return problems;
}

type Fail = (path: string, message: string) => void;

function checkParameters(at: string, params: unknown[], templateParams: string[], fail: Fail) {
  const seen = new Set<string>();
  params.forEach((p, i) => {
    const pAt = `${at}.parameters[${i}]`;
    if (!isObject(p)) return fail(pAt, 'must be a Parameter object');
    if (typeof p.$ref === 'string') return;
    if (typeof p.name !== 'string' || !p.name) fail(`${pAt}.name`, 'is required');
    if (!PARAMETER_IN.includes(String(p.in))) fail(`${pAt}.in`, `must be one of ${PARAMETER_IN.join(', ')}`);
    const key = `${String(p.in)}:${String(p.name)}`;
    if (seen.has(key)) fail(pAt, `declares ${key} twice`);
    seen.add(key);
    if ((p.schema === undefined) === (p.content === undefined)) fail(pAt, 'needs exactly one of schema and content');
    if (p.schema !== undefined) checkSchema(`${pAt}.schema`, p.schema, fail);
    if (p.in === 'path') {
      if (p.required !== true) fail(`${pAt}.required`, 'must be true for a path parameter');
      if (!templateParams.includes(String(p.name)))
        fail(pAt, `path parameter "${String(p.name)}" is not in the path template`);
    }
  });
  for (const name of templateParams)
    if (!seen.has(`path:${name}`)) fail(at, `path parameter "${name}" of the template is not declared`);
}

function checkContent(at: string, content: unknown, fail: Fail) {
  if (!isObject(content)) return fail(at, 'must map media types to Media Type objects');
  for (const [type, media] of Object.entries(content)) {
    if (!/^[\w.+*-]+\/[\w.+*-]+(\s*;.*)?$/.test(type)) fail(`${at}['${type}']`, 'is not a media type');
    if (!isObject(media)) fail(`${at}['${type}']`, 'must be a Media Type object');
    else if (media.schema !== undefined) checkSchema(`${at}['${type}'].schema`, media.schema, fail);
  }
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses it): the keywords whose shape tools depend on. */
function checkSchema(at: string, schema: unknown, fail: Fail) {
  if (typeof schema === 'boolean') return;
  if (!isObject(schema)) return fail(at, 'a schema must be an object or a boolean');
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  for (const t of types)
    if (!SCHEMA_TYPES.includes(String(t))) fail(`${at}.type`, `"${String(t)}" is not a JSON Schema type`);
  if (
    schema.required !== undefined &&
    (!Array.isArray(schema.required) || schema.required.some((r) => typeof r !== 'string'))
  )
    fail(`${at}.required`, 'must be a list of property names');
  if (schema.enum !== undefined && !Array.isArray(schema.enum)) fail(`${at}.enum`, 'must be a list');
  if (schema.properties !== undefined) {
    if (!isObject(schema.properties)) fail(`${at}.properties`, 'must be an object');
    else for (const [k, v] of Object.entries(schema.properties)) checkSchema(`${at}.properties.${k}`, v, fail);
  }
  for (const k of ['items', 'additionalProperties', 'propertyNames', 'not', 'contains']) {
    if (schema[k] !== undefined) checkSchema(`${at}.${k}`, schema[k], fail);
  }
  for (const k of ['anyOf', 'oneOf', 'allOf', 'prefixItems']) {
    if (schema[k] === undefined) continue;
    if (!Array.isArray(schema[k]) || (schema[k] as unknown[]).length === 0)
      fail(`${at}.${k}`, 'must be a non-empty list of schemas');
    else (schema[k] as unknown[]).forEach((s, i) => checkSchema(`${at}.${k}[${i}]`, s, fail));
  }
  for (const k of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties']) {
    if (schema[k] !== undefined && !(Number.isInteger(schema[k]) && (schema[k] as number) >= 0))
      fail(`${at}.${k}`, 'must be a non-negative integer');
  }
  if (schema.pattern !== undefined) {
    try {
      new RegExp(String(schema.pattern), 'u');
    } catch {
      fail(`${at}.pattern`, 'is not a valid regular expression');
    }
  }
}

/** Every `$ref` (local JSON pointers only) must resolve. */
function checkRefs(root: Json, value: unknown, at: string, fail: Fail) {
  if (Array.isArray(value)) return value.forEach((v, i) => checkRefs(root, v, `${at}[${i}]`, fail));
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '$ref' && typeof v === 'string') {
      if (!v.startsWith('#/')) fail(`${at}.$ref`, `"${v}" is not a local reference`);
      else {
        let target: unknown = root;
        for (const part of v
          .slice(2)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))) {
          target = isObject(target) ? target[part] : undefined;
        }
        if (target === undefined) fail(`${at}.$ref`, `"${v}" does not resolve`);
      }
    } else checkRefs(root, v, `${at}.${k}`, fail);
  }
}
