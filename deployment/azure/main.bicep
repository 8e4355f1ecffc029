// Miljökravsnoden on Azure, in the region's host tenant: App Service (Linux, Python) running
// as a user-assigned managed identity, Storage (Tables) without account keys, Key Vault for
// the secrets that remain, Application Insights, and an Azure Bot with the Teams channel.
// Deploy: see docs/deploy.md. Bicep is not compiled in CI (no Azure here): keep it plain.
//   az deployment group create -g <rg> -f deployment/azure/main.bicep \
//     -p hostTenantId=<host tenant id> adminIds=<object ids>

@description('Name prefix for the resources (letters and digits).')
@minLength(3)
@maxLength(14)
param name string = 'miljokrav'

param location string = resourceGroup().location

@description('The host tenant: where the regional Teams platform, the bot and its users (as guests) are.')
param hostTenantId string = subscription().tenantId

@description('Tenant ids allowed to use the node, comma separated: the host tenant.')
param allowedTenants string = hostTenantId

@description('Entra object ids (in the host tenant) of the node administrators, comma separated.')
param adminIds string = ''

@description('UserAssignedMSI: the bot authenticates as the managed identity (no secret). SingleTenant: an app registration whose client secret you put in Key Vault as "bot-client-secret".')
@allowed(['UserAssignedMSI', 'SingleTenant'])
param botIdentity string = 'UserAssignedMSI'

@description('With botIdentity SingleTenant: the app registration (client) id.')
param appRegistrationId string = ''

@description('With botIdentity SingleTenant: when the client secret expires (YYYY-MM-DD); the node warns 30 days before.')
param secretExpires string = ''

@description('Language of channel posts: sv or en.')
@allowed(['sv', 'en'])
param nodeLanguage string = 'sv'

@description('App Service plan size. B1 is enough for a region; P0v3 for scale-out.')
param sku string = 'B1'

@description('Instances. More than one is safe: state is in Table Storage, background work takes a lease.')
@minValue(1)
param instances int = 1

@secure()
@description('Signs download and data links. Generated; kept in Key Vault.')
param linkSecret string = newGuid()

@secure()
@description('Guards POST /api/digest/run. Generated; kept in Key Vault.')
param digestSecret string = newGuid()

var unique = uniqueString(resourceGroup().id, name)
var usesSecret = botIdentity == 'SingleTenant'
var siteName = '${name}-${take(unique, 6)}'

// --- identity ---------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id'
  location: location
}

var botAppId = usesSecret ? appRegistrationId : identity.properties.clientId

// --- storage: tables, reached with the identity; shared keys off --------------------------

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: toLower('${name}${take(unique, 8)}')
  location: location
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
}

// Storage Table Data Contributor
var tableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource tablesRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: storage
  name: guid(storage.id, identity.id, tableDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', tableDataContributor)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- Key Vault: the secrets that remain, read by the identity -------------------------------

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-kv-${take(unique, 6)}'
  location: location
  properties: {
    tenantId: hostTenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource linkSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'node-link-secret'
  properties: { value: linkSecret }
}

resource digestSecretValue 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'node-digest-secret'
  properties: { value: digestSecret }
}

// Key Vault Secrets User
var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vaultRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, secretsUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// --- telemetry ------------------------------------------------------------------------------

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs-${take(unique, 6)}'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: workspace.id }
}

// --- the app ----------------------------------------------------------------------------

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  kind: 'linux'
  sku: { name: sku, capacity: instances }
  properties: { reserved: true }
}

var vaultUri = vault.properties.vaultUri
var commonSettings = [
  { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'true' } // installs requirements.txt (locked, hashed)
  { name: 'WEBSITES_PORT', value: '8000' }
  { name: 'MicrosoftAppId', value: botAppId }
  { name: 'MicrosoftAppType', value: botIdentity }
  { name: 'MicrosoftAppTenantId', value: hostTenantId }
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId } // DefaultAzureCredential's identity
  { name: 'NODE_ALLOWED_TENANTS', value: allowedTenants }
  { name: 'NODE_ADMIN_IDS', value: adminIds }
  { name: 'NODE_TIME_ZONE', value: 'Europe/Stockholm' }
  { name: 'NODE_LANGUAGE', value: nodeLanguage }
  { name: 'NODE_PUBLIC_URL', value: 'https://${siteName}.azurewebsites.net' }
  { name: 'NODE_STORAGE_ACCOUNT_URL', value: storage.properties.primaryEndpoints.table }
  { name: 'NODE_LINK_SECRET', value: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/node-link-secret/)' }
  { name: 'NODE_DIGEST_SECRET', value: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/node-digest-secret/)' }
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
]
var secretSettings = usesSecret ? [
  { name: 'MicrosoftAppPassword', value: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/bot-client-secret/)' }
  { name: 'MicrosoftAppPasswordExpires', value: secretExpires }
] : []

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: siteName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'PYTHON|3.11'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      healthCheckPath: '/readyz'
      appCommandLine: 'python -m bot serve --host 0.0.0.0 --port 8000'
      appSettings: concat(commonSettings, secretSettings)
    }
  }
  dependsOn: [tablesRole, vaultRole, linkSecretValue, digestSecretValue]
}

// --- the bot ----------------------------------------------------------------------------

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot-${take(unique, 6)}'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'S1' }
  properties: usesSecret ? {
    displayName: 'Miljökravsnoden'
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: 'SingleTenant'
    msaAppTenantId: hostTenantId
  } : {
    displayName: 'Miljökravsnoden'
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppId: botAppId
    msaAppType: 'UserAssignedMSI'
    msaAppTenantId: hostTenantId
    msaAppMSIResourceId: identity.id
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
output botAppId string = botAppId
output keyVaultName string = vault.name
output storageTableEndpoint string = storage.properties.primaryEndpoints.table
