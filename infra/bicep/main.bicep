// Sluice on Azure: one resource group holding a Flex Consumption Function App (the API, orchestrations and
// triggers), a storage account reached only through Microsoft Entra ID, Application Insights with Entra-only
// ingestion, an Event Grid system topic for the blob trigger, and one Container Apps job per compute target.
//
// `npm test` builds and lints these files with the real Bicep CLI (scripts/bicep.sh; warnings are errors), then
// test/unit/infra/checkInfra.ts evaluates the compiled ARM JSON and fails when the settings, tables, queues,
// containers, triggers or compute targets of the code and of this template drift apart. Keep the conventions it
// relies on: names of storage objects known from parameters, app settings as one object, role assignment names
// built with guid(scope, principal, role).
targetScope = 'subscription'

metadata name = 'Sluice'
metadata description = 'Deploys Sluice (ML pipelines on Azure Functions + Durable Functions) without storage keys.'

@minLength(1)
@maxLength(64)
@description('Required. Name of the azd environment. Seeds the resource token that makes resource names unique.')
param environmentName string

@minLength(1)
@description('Required. Region of every resource. Choose one where Flex Consumption and Container Apps are offered.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Optional. Object id of the person or pipeline running `azd up` (azd sets AZURE_PRINCIPAL_ID). It gets the same data-plane roles as the app, so the CLI, the tests and the post-deploy hook can reach storage. Leave empty to grant nothing.')
param principalId string = ''

@allowed([
  'User'
  'ServicePrincipal'
])
@description('Optional. Kind of principal that principalId names.')
param principalType string = 'User'

@minLength(1)
@description('Required. Audiences the API accepts in bearer tokens, comma-separated: the application id URI of the Sluice app registration and its client id (scripts/entra-app.sh prints the value).')
param authAudience string

@description('Optional. Microsoft Entra tenant that issues the tokens. Defaults to the tenant of the subscription.')
param authTenantId string = tenant().tenantId

@description('Optional. Extra token issuers to trust, comma-separated. The tenant\'s v1 and v2 issuers are always trusted.')
param authIssuers string = ''

@description('Optional. JWKS URL override. Empty derives it from the tenant.')
param authJwksUri string = ''

@description('Optional. Compute targets. Each one gets the queue `compute-<name>` and a Container Apps job that runs workers for it. Names: lower-case letters, digits and single hyphens.')
param computeTargets array = [
  'cpu'
]

@description('Optional. Compute target used by steps that name none. Must be one of computeTargets.')
param defaultCompute string = computeTargets[0]

@description('Optional. Datastores besides the default `workspaceblobstore`: one blob container each.')
param extraDatastores array = []

@secure()
@description('Optional. Key that seals datastore secrets (SAS tokens, account keys, client secrets) at rest: 32 random bytes in base64 (`openssl rand -base64 32`), or a Key Vault reference `@Microsoft.KeyVault(SecretUri=…)`. Only the Function App gets it, never the workers. Empty: datastores of other accounts use the managed identity only.')
param datastoreSecretsKey string = ''

// Tokens of steps (docs/auth.md, "Tokens of steps"): the workers sign them with the private half, the Function App
// checks them with the public half. azd's preprovision hook (infra/hooks/step-token-key.mjs) makes the pair once
// per azd environment and keeps it there, so a deployment never rotates it by accident; no default, no newGuid().
@secure()
@minLength(1)
@description('Required. Private half of the step-token key (RSA 2048, base64 PKCS#8 DER or PEM). Only the worker jobs get it, as a Container Apps secret. azd\'s preprovision hook creates it once (SLUICE_STEP_TOKEN_KEY in the azd environment).')
param stepTokenKey string

@minLength(1)
@description('Required. Public half of the step-token key (base64 SPKI DER or PEM): the Function App checks step tokens with it. The preprovision hook stores it as SLUICE_STEP_TOKEN_PUBLIC_KEY.')
param stepTokenPublicKey string

@description('Optional. Public half of the previous step-token key, still accepted after a rotation (`node infra/hooks/step-token-key.mjs rotate`) until the longest step has ended. Empty: none.')
param stepTokenKeyPrevious string = ''

@description('Optional. Issuer of step tokens. Must differ from every other trusted issuer.')
param stepTokenIssuer string = 'sluice-steps:${environmentName}'

@description('Optional. Durable Functions task hub name. Change it to run two deployments against one storage account.')
param taskHubName string = 'SluiceHub'

// Azure Storage stays the default: no extra resource, every region Sluice deploys to, and the provider the local host
// implements. docs/deploy.md says when the Durable Task Scheduler is the better choice and how to move.
@allowed([
  'azureStorage'
  'durableTaskScheduler'
])
@description('Optional. Durable Functions backend: `azureStorage` (the task hub in the storage account) or `durableTaskScheduler` (a managed scheduler and task hub, reached with the app\'s identity, with a dashboard). Changing it later starts with empty orchestration history: deploy a new environment and drain the old one (docs/deploy.md).')
param durableBackend string = 'azureStorage'

@allowed([
  'Consumption'
  'Dedicated'
])
@description('Optional. Durable Task Scheduler SKU when durableBackend is durableTaskScheduler: Consumption (per action) or Dedicated (per capacity unit).')
param durableSchedulerSku string = 'Consumption'

@minValue(1)
@maxValue(3)
@description('Optional. Capacity units of a Dedicated scheduler (1 to 3; 3 adds high availability).')
param durableSchedulerCapacity int = 1

@description('Optional. Worker image. Empty deploys a placeholder; the post-deploy hook builds Dockerfile.worker in the registry, points the jobs at it and records it in the azd environment (SLUICE_WORKER_IMAGE).')
param workerImage string = ''

// Flex Consumption accepts 40 to 1000 (a lower value is refused when the site is created).
@minValue(40)
@maxValue(1000)
@description('Optional. Upper bound of Function App instances (Flex Consumption scales out per trigger; 40 to 1000).')
param maximumInstanceCount int = 100

@minValue(0)
@maxValue(1000)
@description('Optional. Always-ready instances of the `durable` group (orchestrations, activities and entities): no cold start for a run\'s next step, billed while idle. 0 scales that group to zero.')
param durableAlwaysReady int = 0

@allowed([
  512
  2048
  4096
])
@description('Optional. Memory of each Function App instance, in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@description('Optional. Most worker executions that run at once per compute target.')
param workerMaxExecutions int = 10

@minValue(300)
@description('Optional. Seconds a worker execution may run before Container Apps stops it (and marks it Failed).')
param workerReplicaTimeout int = 7200

@minValue(60)
@description('Optional. Seconds your longest step runs. A worker takes no new job once less than this is left of its execution\'s replicaTimeout, so the execution ends Succeeded; it must be less than workerReplicaTimeout.')
param workerLongestStep int = 3600

@minValue(1)
@description('Optional. Seconds a worker waits on an empty queue before its execution ends. KEDA starts a new execution when jobs arrive later.')
param workerIdleExit int = 60

@description('Optional. CPU cores of each worker, as a string (Consumption profile: 0.25 to 4).')
param workerCpu string = '1'

@description('Optional. Memory of each worker (Consumption profile: twice the cores, in Gi).')
param workerMemory string = '2Gi'

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'

// Storage objects Sluice uses. These lists repeat shared/store/names.ts on purpose (Bicep cannot import it);
// the infrastructure check fails when the two differ.
var datastoreContainers = union(
  [
    'workspaceblobstore'
  ],
  extraDatastores
)
var sluiceContainers = [
  'snapshots'
  'pipeline-data'
  'logs'
  'records'
  'models'
]
// Flex Consumption reads the deployed package from this container with the app's identity.
var deploymentContainer = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var computeQueues = [for target in computeTargets: 'compute-${target}']
var sluiceQueues = concat(
  [
    'step-results'
    'step-work'
  ],
  computeQueues
)
var sluiceTables = [
  'Pipelines'
  'PublishedPipelines'
  'PipelineEndpoints'
  'Runs'
  'StepRuns'
  'ReuseCache'
  'Schedules'
  'Datastores'
  'Models'
  'Datasets'
  'ComputeTargets'
  'Environments'
  'IdempotencyKeys'
  'RunIndex'
  'Experiments'
]

var useScheduler = durableBackend == 'durableTaskScheduler'

// Settings shared by the Function App and the workers (shared/config.ts reads each of them). The storage
// identity settings differ per identity, so each module adds its own.
var sluiceSettings = {
  TASKHUB_NAME: taskHubName
  SLUICE_AUTH_MODE: 'entra'
  SLUICE_AUTH_TENANT_ID: authTenantId
  SLUICE_AUTH_AUDIENCE: authAudience
  SLUICE_AUTH_ISSUERS: authIssuers
  SLUICE_AUTH_JWKS_URI: authJwksUri
  SLUICE_COMPUTE_TARGETS: join(computeTargets, ',')
  SLUICE_DEFAULT_COMPUTE: defaultCompute
  SLUICE_STEP_TOKEN_ISSUER: stepTokenIssuer
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// One identity for the Function App and one for the workers, so each can be audited and revoked alone.
module apiIdentity 'modules/identity.bicep' = {
  name: 'api-identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module workerIdentity 'modules/identity.bicep' = {
  name: 'worker-identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}worker-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    containerNames: concat(datastoreContainers, sluiceContainers, [
      deploymentContainer
    ])
    queueNames: sluiceQueues
    tableNames: sluiceTables
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

// Data-plane access: the same four roles for the app, the workers and (optionally) the deploying principal.
module apiAccess 'modules/access.bicep' = {
  name: 'api-access'
  scope: rg
  params: {
    principalId: apiIdentity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module workerAccess 'modules/access.bicep' = {
  name: 'worker-access'
  scope: rg
  params: {
    principalId: workerIdentity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module deployerAccess 'modules/access.bicep' = if (!empty(principalId)) {
  name: 'deployer-access'
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module scheduler 'modules/durableTaskScheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: '${abbrs.durableTaskSchedulers}${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    skuName: durableSchedulerSku
    capacity: durableSchedulerCapacity
    appPrincipalId: apiIdentity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

// The task hub in the Durable Task Scheduler dashboard, where a run's view links its orchestration; empty on Azure
// Storage. Known only once the scheduler exists, so it joins sluiceSettings where the modules receive them.
var dashboardSetting = {
  SLUICE_DTS_DASHBOARD_URL: useScheduler ? scheduler!.outputs.dashboardUrl : ''
}

// The datastore secrets key is the Function App's alone: workers read the same storage account, never the key. So
// is the public half of the step key (the workers hold the private half). A secure module parameter carries them.
var appOnlySettings = {
  SLUICE_SECRETS_KEY: datastoreSecretsKey
  SLUICE_STEP_TOKEN_PUBLIC_KEY: stepTokenPublicKey
  SLUICE_STEP_TOKEN_KEY_PREVIOUS: stepTokenKeyPrevious
}

// The Durable Task Scheduler is chosen by app settings over host.json (AzureFunctionsJobHost__…), so the package is
// the same for both backends and `npm start` keeps running it on Azure Storage. The connection names the endpoint
// and the app's identity: no key exists.
var durableSettings = useScheduler
  ? {
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${scheduler!.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${apiIdentity.outputs.clientId}'
    }
  : {}

module api 'modules/functionApp.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    planName: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    identityId: apiIdentity.outputs.id
    identityClientId: apiIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainer
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    sluiceSettings: union(sluiceSettings, dashboardSetting)
    appOnlySettings: appOnlySettings
    durableSettings: durableSettings
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    durableAlwaysReady: durableAlwaysReady
  }
  // The host starts as soon as the site exists; without its roles it would fail to reach storage. (The scheduler
  // and its role come first through durableSettings.)
  dependsOn: [
    apiAccess
  ]
}

module events 'modules/eventGrid.bicep' = {
  name: 'event-grid'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
  }
}

module registry 'modules/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: '${abbrs.containerRegistryRegistries}${resourceToken}'
    location: location
    tags: tags
    pullPrincipalId: workerIdentity.outputs.principalId
  }
}

module workers 'modules/workers.bicep' = {
  name: 'workers'
  scope: rg
  params: {
    environmentName: '${abbrs.appManagedEnvironments}${resourceToken}'
    jobNamePrefix: abbrs.appContainerAppsJobs
    resourceToken: resourceToken
    location: location
    tags: tags
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    identityId: workerIdentity.outputs.id
    identityClientId: workerIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    computeTargets: computeTargets
    sluiceSettings: union(sluiceSettings, dashboardSetting)
    apiUrl: api.outputs.url
    stepTokenKey: stepTokenKey
    registryServer: registry.outputs.loginServer
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    image: workerImage
    cpu: workerCpu
    memory: workerMemory
    maxExecutions: workerMaxExecutions
    replicaTimeout: workerReplicaTimeout
    maxRuntime: max(60, workerReplicaTimeout - workerLongestStep)
    idleExit: workerIdleExit
  }
  dependsOn: [
    workerAccess
  ]
}

// azd stores these outputs in the environment (.azure/<env>/.env); the post-deploy hook and docs/deploy.md use them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SLUICE_API_URL string = api.outputs.url
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_EVENTGRID_SYSTEM_TOPIC_NAME string = events.outputs.name
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output SLUICE_WORKER_JOB_NAMES string = join(workers.outputs.jobNames, ',')
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output SLUICE_DURABLE_BACKEND string = durableBackend
output SLUICE_DTS_DASHBOARD_URL string = useScheduler ? scheduler!.outputs.dashboardUrl : ''
