// The Function App on the Flex Consumption plan (FC1, Linux, Node.js 22): the REST API, the Durable
// orchestrations and activities, and the blob, queue and timer triggers. It runs as a user-assigned identity and
// reaches storage and Application Insights with it; the app settings below are exactly the ones the code and the
// host read (test/unit/infra checks both directions).
metadata description = 'Flex Consumption Function App with identity-based storage and Entra-only telemetry.'

@description('Required. Name of the Function App (becomes <name>.azurewebsites.net).')
param name string

@description('Required. Name of the Flex Consumption plan.')
param planName string

@description('Optional. Region of the plan and the app.')
param location string = resourceGroup().location

@description('Optional. Tags. The app also gets azd-service-name: api, which is how `azd deploy` finds it.')
param tags object = {}

@description('Required. Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Required. Client id of that identity.')
param identityClientId string

@description('Required. Name of the storage account (AzureWebJobsStorage and SLUICE_STORAGE).')
param storageAccountName string

@description('Required. Blob endpoint of the storage account, with a trailing slash.')
param storageBlobEndpoint string

@description('Required. Blob container that holds the deployed package.')
param deploymentContainerName string

@description('Required. Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Required. Sluice settings shared with the workers (auth, task hub, compute targets).')
param sluiceSettings object

@secure()
@description('Optional. Settings only the Function App holds (the datastore secrets key, the public step-token key): a secure parameter, so they stay out of the deployment\'s recorded inputs.')
param appOnlySettings object = {}

@description('Optional. Settings of the Durable backend: empty for Azure Storage; for the Durable Task Scheduler, the host.json overrides that select it and its identity-based connection.')
param durableSettings object = {}

@minValue(40)
@maxValue(1000)
@description('Optional. Upper bound of instances (Flex Consumption accepts 40 to 1000).')
param maximumInstanceCount int = 100

@minValue(0)
@description('Optional. Always-ready instances of the `durable` group (orchestrators, activities, entities). 0: none.')
param durableAlwaysReady int = 0

@description('Optional. Memory of each instance, in MB.')
param instanceMemoryMB int = 2048

@allowed([
  '20'
  '22'
])
@description('Optional. Node.js version of the Functions runtime (22: Node.js 20 is past its end of life).')
param nodeVersion string = '22'

// Settings the host and the platform read; the rest come from sluiceSettings. On Flex Consumption the runtime and
// its version live in functionAppConfig, so FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are not set.
var hostSettings = {
  // The host's own storage (leases, timers, blob receipts, the Durable task hub), reached by identity.
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // Sluice's storage: the code reads accountName and clientId (shared/config.ts); the host reads all three when a
  // trigger binds to the SLUICE_STORAGE connection.
  SLUICE_STORAGE__accountName: storageAccountName
  SLUICE_STORAGE__clientId: identityClientId
  SLUICE_STORAGE__credential: 'managedidentity'
  // Telemetry through the identity (Application Insights accepts Entra tokens only).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // `GET /` is the app's own function (a redirect to Studio at /studio/), not the host's default page.
  AzureWebJobsDisableHomepage: 'true'
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: durableAlwaysReady > 0
          ? [
              {
                name: 'durable'
                instanceCount: durableAlwaysReady
              }
            ]
          : []
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(sluiceSettings, appOnlySettings, hostSettings, durableSettings)
}

// `azd deploy` publishes with a Microsoft Entra token; publishing passwords stay off.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

@description('The name of the Function App.')
output name string = site.name

@description('The HTTPS base URL of the Function App.')
output url string = 'https://${site.properties.defaultHostName}'
