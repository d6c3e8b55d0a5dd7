import { ArmDeployment, Opaque, isExpression, isObject, parseExpression, show, text, type Resource, type Value } from './armEval';

/** What the check needs to know about a deployment, read from the compiled ARM JSON. */
export interface InfraModel {
  /** One entry per `Microsoft.Web/sites/config` named `appsettings`. */
  appSettings: { label: string; settings: Record<string, Value> | undefined }[];
  storageAccounts: { label: string; properties: Record<string, Value> }[];
  containers: Value[];
  queues: Value[];
  tables: Value[];
  jobs: ContainerAppJob[];
  roleAssignments: RoleAssignment[];
  /** Principals that must hold Sluice's data-plane roles: every user-assigned identity, and the deployer. */
  principals: { label: string; principal: string }[];
  systemTopics: { label: string; topicType: Value | undefined }[];
  applicationInsights: { label: string; disableLocalAuth: Value | undefined }[];
  /** Durable Task Schedulers, with their resource id and the names of their task hubs. */
  schedulers: { label: string; id: string; taskHubs: { id: string; name: Value }[] }[];
  /** Every expression of the templates that reads a key (listKeys(), a SAS, an AccountKey=...), with where. */
  keyReads: string[];
  /** Where a secure parameter's value leaves the secure path: into an output, or a module's non-secure parameter. */
  secretFlows: string[];
}

export interface ContainerAppJob {
  label: string;
  name: Value;
  triggerType: Value | undefined;
  queueRules: { queueName: Value | undefined; identity: Value | undefined; usesSecrets: boolean }[];
  /** Environment variables of the first container, or undefined when they cannot be read. */
  env: { name: string; value: Value | undefined; secretRef: Value | undefined }[] | undefined;
  /** Names of the job's secrets (configuration.secrets). */
  secrets: string[];
}

export interface RoleAssignment {
  label: string;
  principal: string;
  /** The id of the resource it is scoped to (the resource group's when it has no scope). */
  scope: string;
  roleId: string | undefined;
  /** Why the name is not `guid(scope, principal, role)`, or undefined when it is. */
  nameProblem: string | undefined;
}

/** Where a resource is declared: `(main/storage)`, or `storageAccess[1] (main/api-access)` in a copy loop. */
export function label(r: Resource): string {
  return `${r.loop ? `${r.loop.name}[${r.loop.index}] ` : ''}(${r.deployment.path})`;
}

const hasItems = (v: Value | undefined) => Array.isArray(v) && v.length > 0;

const path = (v: Value | undefined, ...keys: string[]): Value | undefined => {
  let cur = v;
  for (const k of keys) {
    if (!isObject(cur) || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
};

/** The last segment of a child resource's name (`<account>/default/<queue>` → the queue). */
const leaf = (name: Value): Value => (typeof name === 'string' ? name.split('/').pop()! : name);

/**
 * Evaluates the compiled template with `parameters` (values of main.bicep's parameters) and collects the
 * resources the check looks at.
 */
export function readInfraModel(template: { [key: string]: Value }, parameters: Record<string, Value>): InfraModel {
  const deployment = new ArmDeployment(template, parameters);
  const resources = deployment.resources;
  const ofType = (type: string) => resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  const names = (type: string) => ofType(type).map((r) => leaf(r.name));

  const model: InfraModel = {
    appSettings: ofType('Microsoft.Web/sites/config')
      .filter((r) => leaf(r.name) === 'appsettings')
      .map((r) => {
        const props = r.body.properties;
        return { label: `the app settings ${label(r)}`, settings: isObject(props) ? props : undefined };
      }),
    storageAccounts: ofType('Microsoft.Storage/storageAccounts').map((r) => ({
      label: label(r),
      properties: isObject(r.body.properties) ? r.body.properties : {},
    })),
    containers: names('Microsoft.Storage/storageAccounts/blobServices/containers'),
    queues: names('Microsoft.Storage/storageAccounts/queueServices/queues'),
    tables: names('Microsoft.Storage/storageAccounts/tableServices/tables'),
    jobs: ofType('Microsoft.App/jobs').map(readJob),
    roleAssignments: ofType('Microsoft.Authorization/roleAssignments').map(readRoleAssignment),
    principals: ofType('Microsoft.ManagedIdentity/userAssignedIdentities').map((r) => ({
      label: `managed identity ${label(r)}`,
      principal: new Opaque(`reference(${r.id})`).member('principalId').text,
    })),
    systemTopics: ofType('Microsoft.EventGrid/systemTopics').map((r) => ({
      label: label(r),
      topicType: path(r.body, 'properties', 'topicType'),
    })),
    applicationInsights: ofType('Microsoft.Insights/components').map((r) => ({
      label: label(r),
      disableLocalAuth: path(r.body, 'properties', 'DisableLocalAuth'),
    })),
    keyReads: keyReads(template, 'main'),
    secretFlows: secretFlows(template, 'main'),
    schedulers: ofType('Microsoft.DurableTask/schedulers').map((r) => ({
      label: label(r),
      id: r.id,
      taskHubs: ofType('Microsoft.DurableTask/schedulers/taskHubs')
        .filter((h) => h.id.toLowerCase().startsWith(`${r.id.toLowerCase()}/taskhubs/`))
        .map((h) => ({ id: h.id, name: leaf(h.name) })),
    })),
  };
  const deployer = (template.parameters as Record<string, unknown> | undefined)?.principalId
    ? deployment.parameter(deployment.root, 'principalId')
    : '';
  if (deployer !== '') model.principals.push({ label: 'the deploying principal (principalId)', principal: show(deployer) });
  return model;
}

function readJob(r: Resource): ContainerAppJob {
  const configuration = path(r.body, 'properties', 'configuration');
  const rules = path(configuration, 'eventTriggerConfig', 'scale', 'rules');
  const containers = path(r.body, 'properties', 'template', 'containers');
  const env = Array.isArray(containers) ? path(containers[0], 'env') : undefined;
  const secrets = path(configuration, 'secrets');
  return {
    label: label(r),
    name: r.name,
    triggerType: path(configuration, 'triggerType'),
    queueRules: (Array.isArray(rules) ? rules : [])
      .filter((rule) => path(rule, 'type') === 'azure-queue')
      .map((rule) => ({
        queueName: path(rule, 'metadata', 'queueName'),
        identity: path(rule, 'identity'),
        usesSecrets: hasItems(path(rule, 'auth')),
      })),
    env:
      Array.isArray(env) && env.every((e) => typeof path(e, 'name') === 'string')
        ? env.map((e) => ({ name: path(e, 'name') as string, value: path(e, 'value'), secretRef: path(e, 'secretRef') }))
        : undefined,
    secrets: (Array.isArray(secrets) ? secrets : []).map((x) => path(x, 'name')).filter((n): n is string => typeof n === 'string'),
  };
}

function readRoleAssignment(r: Resource): RoleAssignment {
  const principalId = path(r.body, 'properties', 'principalId') ?? null;
  const roleDefinitionId = path(r.body, 'properties', 'roleDefinitionId');
  const roleId = typeof roleDefinitionId === 'string' ? /([0-9a-f-]{36})$/i.exec(roleDefinitionId)?.[1] : undefined;
  const scope = r.body.scope ?? r.evaluate(parseExpression('[resourceGroup().id]'));
  return { label: label(r), principal: show(principalId), scope: text(scope), roleId, nameProblem: nameProblem(r, principalId, roleId) };
}

/** A role assignment's name must be guid(<its scope>, <its principalId>, <its role id>). */
function nameProblem(r: Resource, principalId: Value, roleId: string | undefined): string | undefined {
  const source = r.source.name;
  const expr = typeof source === 'string' && isExpression(source) ? parseExpression(source) : undefined;
  if (!expr || expr.t !== 'call' || expr.name !== 'guid' || expr.args.length !== 3) return 'its name is not guid(scope, principal, role)';
  const [scopeArg, principalArg, roleArg] = expr.args.map((a) => r.evaluate(a));
  const scope = r.body.scope ?? r.evaluate(parseExpression('[resourceGroup().id]'));
  if (show(scopeArg) !== show(scope)) return `the first argument of guid() is ${show(scopeArg)}, not the id of its scope ${show(scope)}`;
  if (show(principalArg) !== show(principalId))
    return `the second argument of guid() is ${show(principalArg)}, not its principalId ${show(principalId)}`;
  if (typeof roleArg !== 'string' || roleArg.toLowerCase() !== roleId?.toLowerCase())
    return `the third argument of guid() is ${show(roleArg)}, not its role definition id`;
  return undefined;
}

/** Where the compiled templates read a key: `<JSON path>: <expression>`. */
function keyReads(v: Value, at: string): string[] {
  if (typeof v === 'string')
    return /\blist(Keys|AccountSas|ServiceSas)\s*\(|AccountKey=|\.sharedKeys\b/i.test(v) ? [`${at}: ${v}`] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => keyReads(x, `${at}[${i}]`));
  if (isObject(v)) return Object.entries(v).flatMap(([k, x]) => keyReads(x, `${at}.${k}`));
  return [];
}

const SECURE_TYPES = ['securestring', 'secureobject'];

/**
 * Where a secure parameter's value is exposed, in `template` and its nested deployments: an output that uses it
 * (directly or through variables), or a module parameter that receives it without being secure itself (its value
 * would then be recorded in the deployment's inputs). Read from the expressions' text: `parameters('x')`,
 * `variables('y')`.
 */
export function secretFlows(template: Value, at: string): string[] {
  if (!isObject(template)) return [];
  const params = isObject(template.parameters) ? template.parameters : {};
  const secure = new Set(
    Object.entries(params)
      .filter(([, p]) => isObject(p) && typeof p.type === 'string' && SECURE_TYPES.includes(p.type.toLowerCase()))
      .map(([name]) => name),
  );
  // Variables that carry a secure value, to a fixed point (a variable may use another).
  const variables = isObject(template.variables) ? template.variables : {};
  const tainted = new Set<string>();
  const carries = (v: Value | undefined) => {
    const text = JSON.stringify(v ?? null);
    return (
      [...text.matchAll(/parameters\('([^']+)'\)/g)].some((m) => secure.has(m[1])) ||
      [...text.matchAll(/variables\('([^']+)'\)/g)].some((m) => tainted.has(m[1]))
    );
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, v] of Object.entries(variables)) {
      if (!tainted.has(name) && carries(v)) {
        tainted.add(name);
        changed = true;
      }
    }
  }
  const problems: string[] = [];
  const outputs = isObject(template.outputs) ? template.outputs : {};
  for (const [name, output] of Object.entries(outputs))
    if (carries(output)) problems.push(`output "${name}" of ${at} exposes a secure parameter; outputs are readable by anyone who can read the deployment`);
  const resources = Array.isArray(template.resources) ? template.resources : isObject(template.resources) ? Object.values(template.resources) : [];
  for (const r of resources) {
    if (!isObject(r) || r.type !== 'Microsoft.Resources/deployments') continue;
    const props = isObject(r.properties) ? r.properties : {};
    const inner = props.template;
    const child = `${at}/${typeof r.name === 'string' ? r.name : '?'}`;
    const innerParams = isObject(inner) && isObject(inner.parameters) ? inner.parameters : {};
    const given = isObject(props.parameters) ? props.parameters : {};
    for (const [name, p] of Object.entries(given)) {
      const declared = innerParams[name];
      const type = isObject(declared) && typeof declared.type === 'string' ? declared.type.toLowerCase() : '';
      if (carries(p) && !SECURE_TYPES.includes(type))
        problems.push(`module ${child} receives a secure value in its parameter "${name}", which is not @secure(); its value would be recorded with the deployment`);
    }
    problems.push(...secretFlows(inner ?? null, child));
  }
  return problems;
}
