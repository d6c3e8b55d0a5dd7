// The data-plane roles one principal needs to run Sluice: blobs (snapshots, outputs, logs, leases of the
// Functions host), queues (compute targets, step results, the Durable task hub), tables (Sluice's records and
// the task hub history) and telemetry ingestion. Names are guid(scope, principal, role) so that a redeployment
// finds the same assignment instead of failing with RoleAssignmentExists.
metadata description = 'Storage and telemetry role assignments for one principal.'

@description('Required. Object id of the principal that receives the roles.')
param principalId string

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Required. Kind of principal (managed identities are ServicePrincipal).')
param principalType string

@description('Required. Name of the storage account in this resource group.')
param storageAccountName string

@description('Required. Name of the Application Insights component in this resource group.')
param applicationInsightsName string

var storageRoles = [
  {
    name: 'Storage Blob Data Owner'
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  }
  {
    name: 'Storage Queue Data Contributor'
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  }
  {
    name: 'Storage Table Data Contributor'
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  }
]
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in storageRoles: {
    name: guid(storage.id, principalId, role.id)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.id)
      principalId: principalId
      principalType: principalType
      description: 'Sluice: ${role.name}'
    }
  }
]

resource telemetryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: principalType
    description: 'Sluice: Monitoring Metrics Publisher (Entra-only telemetry ingestion)'
  }
}
