// Compute workers: a Container Apps environment and one event-driven job per compute target. KEDA's azure-queue
// scaler watches `compute-<target>` with the workers' managed identity and starts executions while jobs wait;
// each execution runs `sluice worker --compute <target>` (Dockerfile.worker), which takes jobs from that queue,
// runs them and posts results to `step-results`. Nothing runs, and nothing is billed, while the queue is empty.
metadata description = 'Container Apps environment and queue-scaled jobs that run Sluice workers.'

@description('Required. Name of the Container Apps environment.')
param environmentName string

@description('Required. Prefix of the job names (the abbreviation for Container Apps jobs).')
param jobNamePrefix string

@description('Required. The deployment\'s resource token; keeps job names unique.')
param resourceToken string

@description('Optional. Region of the environment and the jobs.')
param location string = resourceGroup().location

@description('Optional. Tags of the environment and the jobs.')
param tags object = {}

@description('Required. Resource id of the Log Analytics workspace that receives the environment\'s logs.')
param logAnalyticsWorkspaceId string

@description('Required. Resource id of the user-assigned identity the workers run as.')
param identityId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Required. Name of the storage account that holds the queues.')
param storageAccountName string

@description('Required. Compute targets; one job each, listening on the queue compute-<target>.')
param computeTargets array

@description('Required. Sluice settings shared with the Function App (auth, task hub, compute targets).')
param sluiceSettings object

@description('Required. HTTPS URL of the API (the Function App): the worker gives it to steps as SLUICE_URL.')
param apiUrl string

@secure()
@description('Required. Private half of the step-token key: a secret of each job, mapped to SLUICE_STEP_TOKEN_KEY.')
param stepTokenKey string

@description('Required. Application Insights connection string: workers send their events there, signed by their identity.')
param applicationInsightsConnectionString string

@description('Required. Login server of the registry the image is pulled from.')
param registryServer string

@description('Optional. Worker image. Empty runs a placeholder until the post-deploy hook sets the real image.')
param image string = ''

@description('Optional. CPU cores per execution, as a string.')
param cpu string = '1'

@description('Optional. Memory per execution.')
param memory string = '2Gi'

@minValue(1)
@description('Optional. Most executions per compute target at once.')
param maxExecutions int = 10

@description('Optional. Seconds an execution may run.')
param replicaTimeout int = 7200

@description('Optional. Seconds after which a worker takes no new job (less than replicaTimeout by the longest step).')
param maxRuntime int = 3600

@description('Optional. Seconds on an empty queue after which a worker exits.')
param idleExit int = 60

@description('Optional. Queue messages per execution that the scaler aims for.')
param messagesPerExecution int = 1

// Until the post-deploy hook has built the worker, the jobs point at a public sample image that exits at once.
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'
// Container Apps job names: lower-case letters, digits and single hyphens, starting with a letter, ending with a
// letter or digit, at most 32 characters. '<prefix><target, 14 at most, no trailing hyphen>-<13 characters>'.
var jobNames = [
  for target in computeTargets: '${jobNamePrefix}${endsWith(take(target, 14), '-') ? take(target, 13) : take(target, 14)}-${uniqueString(resourceToken, target)}'
]
var stepTokenSecretName = 'step-token-key'
var sharedEnv = [for item in items(sluiceSettings): {
  name: item.key
  value: item.value
}]

resource containerEnvironment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // Logs go through Azure Monitor diagnostic settings, so no workspace key is handed to the environment.
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
    ]
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'logs'
  scope: containerEnvironment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource jobs 'Microsoft.App/jobs@2025-01-01' = [
  for (target, i) in computeTargets: {
    name: jobNames[i]
    location: location
    tags: union(tags, {
      'sluice-compute-target': target
    })
    identity: {
      type: 'UserAssigned'
      userAssignedIdentities: {
        '${identityId}': {}
      }
    }
    properties: {
      environmentId: containerEnvironment.id
      workloadProfileName: 'Consumption'
      configuration: {
        triggerType: 'Event'
        replicaTimeout: replicaTimeout
        // A failed execution is not retried by Container Apps: the message becomes visible again and the worker
        // that takes it next decides (docs/design.md#compute: jobs are at-least-once, step runs record their attempts).
        replicaRetryLimit: 0
        // The step-token key is a Container Apps secret, never a plain environment value (shown in the portal).
        secrets: [
          {
            name: stepTokenSecretName
            value: stepTokenKey
          }
        ]
        registries: [
          {
            server: registryServer
            identity: identityId
          }
        ]
        eventTriggerConfig: {
          parallelism: 1
          replicaCompletionCount: 1
          scale: {
            minExecutions: 0
            maxExecutions: maxExecutions
            pollingInterval: 30
            rules: [
              {
                name: 'compute-queue'
                type: 'azure-queue'
                metadata: {
                  accountName: storageAccountName
                  queueName: 'compute-${target}'
                  queueLength: string(messagesPerExecution)
                }
                // The scaler reads the queue length with the workers' identity; no connection string.
                identity: identityId
              }
            ]
          }
        }
      }
      template: {
        containers: [
          {
            name: 'worker'
            image: empty(image) ? placeholderImage : image
            resources: {
              cpu: json(cpu)
              memory: memory
            }
            env: concat(sharedEnv, [
              {
                name: 'SLUICE_COMPUTE'
                value: target
              }
              {
                name: 'SLUICE_STORAGE__accountName'
                value: storageAccountName
              }
              {
                name: 'SLUICE_STORAGE__clientId'
                value: identityClientId
              }
              // Telemetry with the workers' identity (Application Insights accepts Entra tokens only).
              {
                name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
                value: applicationInsightsConnectionString
              }
              {
                name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
                value: 'ClientId=${identityClientId};Authorization=AAD'
              }
              // Steps call the API back with a token of their own, signed with the step key (worker/stepToken.ts).
              {
                name: 'SLUICE_API_URL'
                value: apiUrl
              }
              {
                name: 'SLUICE_STEP_TOKEN_KEY'
                secretRef: stepTokenSecretName
              }
              // Read by Dockerfile.worker's command (--max-runtime, --idle-exit): the execution ends by itself.
              {
                name: 'SLUICE_WORKER_MAX_RUNTIME'
                value: string(maxRuntime)
              }
              {
                name: 'SLUICE_WORKER_IDLE_EXIT'
                value: string(idleExit)
              }
            ])
          }
        ]
      }
    }
  }
]

@description('The names of the jobs, in the order of computeTargets.')
output jobNames array = [for (target, i) in computeTargets: jobs[i].name]
