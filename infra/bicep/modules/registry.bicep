// The container registry for the worker image. No admin user and no anonymous pull: the workers pull with their
// managed identity (AcrPull), and the post-deploy hook builds the image inside the registry (`az acr build`), so
// the deploying machine needs no Docker.
metadata description = 'Azure Container Registry for the Sluice worker image.'

@minLength(5)
@maxLength(50)
@description('Required. Name of the registry (5-50 letters and digits, globally unique).')
param name string

@description('Optional. Region of the registry.')
param location string = resourceGroup().location

@description('Optional. Tags of the registry.')
param tags object = {}

@description('Required. Object id of the identity that pulls images (the workers).')
param pullPrincipalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource pullAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, pullPrincipalId, acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Sluice workers pull their image'
  }
}

@description('The name of the registry.')
output name string = registry.name

@description('The login server of the registry (<name>.azurecr.io).')
output loginServer string = registry.properties.loginServer
