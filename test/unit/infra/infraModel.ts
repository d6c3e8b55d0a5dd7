import {
  Instance,
  ResourceRef,
  evaluate,
  findMember,
  isPlainObject,
  parametersFromFile,
  sameValue,
  show,
  type ResourceInstance,
  type Value,
} from './bicepEval';

/** What the check needs to know about a deployment, read from the Bicep text. */
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
}

export interface ContainerAppJob {
  label: string;
  triggerType: Value | undefined;
  queueRules: { queueName: Value | undefined; identity: Value | undefined; usesSecrets: boolean }[];
  /** Environment variables of the first container, or undefined when they cannot be read from the text. */
  env: { name: string; value: Value | undefined }[] | undefined;
}

export interface RoleAssignment {
  label: string;
  principal: string;
  roleId: string | undefined;
  /** Why the name is not `guid(scope, principal, role)`, or undefined when it is. */
  nameProblem: string | undefined;
}

const label = (r: ResourceInstance) => `"${r.decl.symbol}" (${r.instance.file}, instance ${r.instance.id})`;

const hasItems = (v: Value | undefined) => Array.isArray(v) && v.length > 0;

const path = (v: Value | undefined, ...keys: string[]): Value | undefined => {
  let cur = v;
  for (const k of keys) {
    if (!isPlainObject(cur) || !(k in cur)) return undefined;
    cur = cur[k];
  }
  return cur;
};

/** Evaluates the deployment rooted at `entry` and collects the resources the check looks at. */
export function readInfraModel(files: Record<string, string>, entry: string, parametersFile: string): InfraModel {
  const main = new Instance('main', entry, files, parametersFromFile(files[parametersFile]));
  const resources = main.resources().filter((r) => !r.decl.existing);
  const ofType = (type: string) => resources.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  const names = (type: string) => ofType(type).map((r) => r.body.name);

  const model: InfraModel = {
    appSettings: ofType('Microsoft.Web/sites/config')
      .filter((r) => r.body.name === 'appsettings')
      .map((r) => {
        const props = r.body.properties;
        return { label: label(r), settings: isPlainObject(props) ? props : undefined };
      }),
    storageAccounts: ofType('Microsoft.Storage/storageAccounts').map((r) => ({
      label: label(r),
      properties: isPlainObject(r.body.properties) ? r.body.properties : {},
    })),
    containers: names('Microsoft.Storage/storageAccounts/blobServices/containers'),
    queues: names('Microsoft.Storage/storageAccounts/queueServices/queues'),
    tables: names('Microsoft.Storage/storageAccounts/tableServices/tables'),
    jobs: ofType('Microsoft.App/jobs').map(readJob),
    roleAssignments: ofType('Microsoft.Authorization/roleAssignments').map(readRoleAssignment),
    principals: ofType('Microsoft.ManagedIdentity/userAssignedIdentities').map((r) => ({
      label: `managed identity ${label(r)}`,
      principal: `${new ResourceRef(r.instance, r.decl).key}.properties.principalId`,
    })),
    systemTopics: ofType('Microsoft.EventGrid/systemTopics').map((r) => ({
      label: label(r),
      topicType: path(r.body, 'properties', 'topicType'),
    })),
    applicationInsights: ofType('Microsoft.Insights/components').map((r) => ({
      label: label(r),
      disableLocalAuth: path(r.body, 'properties', 'DisableLocalAuth'),
    })),
  };
  if (main.program.params.has('principalId')) {
    const deployer = main.param('principalId');
    if (deployer !== '') model.principals.push({ label: 'the deploying principal (principalId)', principal: show(deployer) });
  }
  return model;
}

function readJob(r: ResourceInstance): ContainerAppJob {
  const configuration = path(r.body, 'properties', 'configuration');
  const rules = path(configuration, 'eventTriggerConfig', 'scale', 'rules');
  const containers = path(r.body, 'properties', 'template', 'containers');
  const env = Array.isArray(containers) ? path(containers[0], 'env') : undefined;
  return {
    label: label(r),
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

function readRoleAssignment(r: ResourceInstance): RoleAssignment {
  const principalId = path(r.body, 'properties', 'principalId') ?? null;
  const roleDefinitionId = path(r.body, 'properties', 'roleDefinitionId');
  const roleId = typeof roleDefinitionId === 'string' ? /([0-9a-f-]{36})$/i.exec(roleDefinitionId)?.[1] : undefined;
  return { label: label(r), principal: show(principalId), roleId, nameProblem: nameProblem(r, principalId, roleId) };
}

/** A role assignment's name must be guid(<its scope>.id, <its principalId>, <its role id>). */
function nameProblem(r: ResourceInstance, principalId: Value, roleId: string | undefined): string | undefined {
  const nameExpr = findMember(r.bodyExpr, 'name');
  if (!nameExpr || nameExpr.t !== 'call' || nameExpr.name !== 'guid' || nameExpr.args.length !== 3)
    return 'its name is not guid(scope, principal, role)';
  const [scopeArg, principalArg, roleArg] = nameExpr.args.map((a) => evaluate(a, r.scope));
  const scopeExpr = findMember(r.bodyExpr, 'scope');
  const scope = scopeExpr ? evaluate(scopeExpr, r.scope) : undefined;
  const scopeId = scope instanceof ResourceRef ? `${scope.key}.id` : 'resourceGroup().id';
  if (show(scopeArg) !== scopeId) return `the first argument of guid() is ${show(scopeArg)}, not the id of its scope`;
  if (!sameValue(principalArg, principalId))
    return `the second argument of guid() is ${show(principalArg)}, not its principalId ${show(principalId)}`;
  if (typeof roleArg !== 'string' || roleArg.toLowerCase() !== roleId?.toLowerCase())
    return `the third argument of guid() is ${show(roleArg)}, not its role definition id`;
  return undefined;
}
