// A user-assigned managed identity. Sluice gives the Function App and the workers one each, so storage never
// needs a key and each principal can be audited or revoked on its own.
metadata description = 'A user-assigned managed identity.'

@description('Required. Name of the identity.')
param name string

@description('Optional. Region of the identity.')
param location string = resourceGroup().location

@description('Optional. Tags of the identity.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

@description('The resource id of the identity.')
output id string = identity.id

@description('The client id of the identity (what DefaultAzureCredential and the Functions host are told to use).')
output clientId string = identity.properties.clientId

@description('The object id of the identity\'s service principal (what role assignments name).')
output principalId string = identity.properties.principalId

@description('The name of the identity.')
output name string = identity.name
