// The Durable Task Scheduler backend (durableBackend: 'durableTaskScheduler'): a scheduler with one task hub, named
// as the app's TASKHUB_NAME, and the Durable Task Data Contributor role on that task hub for the app's identity and,
// optionally, the deploying principal (the dashboard needs it too). The app reaches the scheduler with its
// managed identity; the scheduler has no keys.
metadata description = 'Durable Task Scheduler and task hub for the Durable Functions backend, reached by identity.'

@description('Required. Name of the scheduler (3 to 64 letters, digits and hyphens).')
param name string

@description('Optional. Region of the scheduler; the same as the Function App keeps latency low.')
param location string = resourceGroup().location

@description('Optional. Tags.')
param tags object = {}

@description('Required. Name of the task hub: the app\'s TASKHUB_NAME (host.json hubName).')
param taskHubName string

@allowed([
  'Consumption'
  'Dedicated'
])
@description('Optional. Consumption bills per action dispatched; Dedicated bills per capacity unit (CU) per month.')
param skuName string = 'Consumption'

@minValue(1)
@maxValue(3)
@description('Optional. Capacity units of a Dedicated scheduler (1 to 3; 3 gives high availability). Ignored for Consumption.')
param capacity int = 1

@description('Required. Object id of the Function App\'s user-assigned identity.')
param appPrincipalId string

@description('Optional. Object id of the deploying principal; it gets the same role, for the dashboard. Empty: none.')
param deployerPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
@description('Optional. Kind of principal deployerPrincipalId names.')
param deployerPrincipalType string = 'User'

// Built-in role "Durable Task Data Contributor" (all data actions Microsoft.DurableTask/*): what a Durable Functions
// app needs to run, query and manage orchestrations, and what the dashboard needs. Its id was checked against
// Microsoft's role catalog and the Bicep guidance of Microsoft's azure-skills repository; docs/deploy.md cites them.
var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // The scheduler's own firewall: an empty list refuses every client, so allow all addresses; access is decided by
    // Microsoft Entra ID and the role below.
    ipAllowlist: [
      '0.0.0.0/0'
    ]
    sku: skuName == 'Dedicated'
      ? {
          name: 'Dedicated'
          capacity: capacity
        }
      : {
          name: 'Consumption'
        }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource appAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(taskHub.id, appPrincipalId, durableTaskDataContributor)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Sluice: Durable Task Data Contributor (the Function App runs its orchestrations here)'
  }
}

resource deployerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(taskHub.id, deployerPrincipalId, durableTaskDataContributor)
  scope: taskHub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    description: 'Sluice: Durable Task Data Contributor (the deployer, for the dashboard)'
  }
}

@description('The scheduler\'s endpoint (https://<name>.<region>.durabletask.io).')
output endpoint string = scheduler.properties.endpoint

@description('The task hub in the Durable Task Scheduler dashboard.')
output dashboardUrl string = 'https://dashboard.durabletask.io/?endpoint=${uriComponent(scheduler.properties.endpoint)}&taskhub=${uriComponent(taskHub.name)}'
