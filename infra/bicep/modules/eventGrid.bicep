// The Event Grid system topic of the storage account. Sluice's blob trigger uses the Event Grid source (Flex
// Consumption does not poll containers), so blob-created events must reach the host's `blobs` extension webhook.
// The subscription itself is created by infra/hooks/postdeploy.sh: Event Grid validates a webhook when the
// subscription is created, and the endpoint only answers once the code is deployed.
metadata description = 'Event Grid system topic for blob events of the Sluice storage account.'

@description('Required. Name of the system topic.')
param name string

@description('Optional. Region of the topic (the storage account\'s region).')
param location string = resourceGroup().location

@description('Optional. Tags of the topic.')
param tags object = {}

@description('Required. Resource id of the storage account whose blob events the topic publishes.')
param storageAccountId string

resource topic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

@description('The name of the system topic.')
output name string = topic.name
