// Miljökravsnoden on Azure: App Service (Linux, Python), Storage (Tables), Azure Bot with the
// Teams channel. Deploy: see docs/deploy.md.
//   az deployment group create -g <rg> -f deployment/azure/main.bicep \
//     -p appId=<entra-app-id> tenantId=<tenant> appPassword=<secret> allowedTenants=<tenant>

@description('Name prefix for the resources (letters and digits).')
@minLength(3)
@maxLength(14)
param name string = 'miljokrav'

param location string = resourceGroup().location

@description('The Entra app registration (client) id of the bot.')
param appId string

@description('The tenant of the app registration (SingleTenant bot).')
param tenantId string

@secure()
@description('A client secret of the app registration.')
param appPassword string

@description('Tenant ids allowed to use the node, comma separated.')
param allowedTenants string

@description('Entra object ids of the node administrators, comma separated.')
param adminIds string = ''

@description('App Service plan size. B1 is enough for a region; P0v3 for scale-out.')
param sku string = 'B1'

@description('Instances. More than one is safe: state is in Table Storage, background work takes a lease.')
@minValue(1)
param instances int = 1

var unique = uniqueString(resourceGroup().id, name)

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: toLower('${name}${take(unique, 8)}')
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  kind: 'linux'
  sku: { name: sku, capacity: instances }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: '${name}-${take(unique, 6)}'
  location: location
  kind: 'app,linux'
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/readyz'
      // App Service's Python build installs the project (pyproject.toml) at deploy time.
      appCommandLine: 'python -m bot serve --host 0.0.0.0 --port 8000'
      appSettings: [
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' }
        { name: 'WEBSITES_PORT', value: '8000' }
        { name: 'MicrosoftAppId', value: appId }
        { name: 'MicrosoftAppPassword', value: appPassword }
        { name: 'MicrosoftAppType', value: 'SingleTenant' }
        { name: 'MicrosoftAppTenantId', value: tenantId }
        { name: 'NODE_ALLOWED_TENANTS', value: allowedTenants }
        { name: 'NODE_ADMIN_IDS', value: adminIds }
        { name: 'NODE_TIME_ZONE', value: 'Europe/Stockholm' }
        {
          name: 'NODE_STORAGE_CONNECTION_STRING'
          value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}'
        }
      ]
    }
  }
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot-${take(unique, 6)}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: {
    displayName: 'Miljökravsnoden'
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppId: appId
    msaAppType: 'SingleTenant'
    msaAppTenantId: tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: { isEnabled: true }
  }
}

output hostName string = site.properties.defaultHostName
output messagingEndpoint string = 'https://${site.properties.defaultHostName}/api/messages'
