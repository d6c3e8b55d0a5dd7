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
}

export interface ContainerAppJob {
  label: string;
  name: Value;
  triggerType: Value | undefined;
  queueRules: { queueName: Value | undefined; identity: Value | undefined; usesSecrets: boolean }[];
  /** Environment variables of the first container, or undefined when they cannot be read. */
  env: { name: string; value: Value | undefined }[] | undefined;
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
        ? env.map((e) => ({ name: path(e, 'name') as string, value: path(e, 'value') }))
        : undefined,
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
