// Miljökravsnoden on Azure, in the region's host tenant: App Service (Linux, Python) running
// as a user-assigned managed identity, Storage (Tables) without account keys, Key Vault for
// the secrets that remain, Application Insights, and an Azure Bot with the Teams channel.
// Deploy: see docs/deploy.md. Bicep is not compiled in CI (no Azure here): keep it plain.
//   az deployment group create -g <rg> -f deployment/azure/main.bicep -p adminIds=<object ids>
// The deployer needs Owner, User Access Administrator or Role Based Access Control
// Administrator on the group: the identities' role assignments are part of the deployment.

@description('Name prefix for the resources (letters and digits).')
@minLength(3)
@maxLength(14)
param name string = 'miljokrav'

param location string = resourceGroup().location

// The host tenant is the subscription's: the managed identity, the vault and the bot can only
// live there (deploy from a subscription in the regional Teams platform's tenant).
var hostTenantId = tenant().tenantId

@description('Tenant ids allowed to use the node, comma separated: the host tenant (guests and shared-channel members of other tenants reach the bot through it).')
param allowedTenants string = tenant().tenantId

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

@description('App Service plan size. B1 is enough for a region; P0v3 for scale-out. Free and Shared lack Always On, which the background work needs.')
@allowed(['B1', 'B2', 'B3', 'S1', 'S2', 'S3', 'P0v3', 'P1v3', 'P2v3', 'P3v3'])
param sku string = 'B1'

@description('Instances. More than one is safe: state is in Table Storage, background work takes a lease.')
@minValue(1)
param instances int = 1

@description('Only after the resource group was deleted and created again: bring the soft-deleted Key Vault back, with its secrets (links people hold keep working). Purge protection keeps a deleted vault, and its name, for 90 days.')
param recoverVault bool = false

var unique = uniqueString(resourceGroup().id, name)
var usesSecret = botIdentity == 'SingleTenant'
var siteName = '${name}-${take(unique, 6)}'
// The same for the same subscription, group name and prefix: a re-created group finds its
// soft-deleted vault under this name (recoverVault=true).
var vaultName = '${name}-kv-${take(unique, 6)}'

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
  name: vaultName
  location: location
  properties: {
    tenantId: hostTenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    createMode: recoverVault ? 'recover' : 'default'
  }
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

// The link and digest secrets are generated once, in the vault, by a script that writes a
// secret only when it is not there: a redeploy (a scale change, a new SKU) keeps them, so
// open links and the digest timer keep working. (A newGuid() parameter default would make
// new ones on every deployment.) The script runs as its own identity, the only one that
// may write secrets; the node's identity only reads them.
resource secretsWriter 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-secrets-id'
  location: location
}

// Key Vault Secrets Officer
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource writerRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, secretsWriter.id, secretsOfficer)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
    principalId: secretsWriter.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource ensureSecrets 'Microsoft.Resources/deploymentScripts@2023-08-01' = {
  name: '${name}-ensure-secrets'
  location: location
  kind: 'AzureCLI'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${secretsWriter.id}': {} }
  }
  properties: {
    azCliVersion: '2.61.0'
    retentionInterval: 'PT1H'
    cleanupPreference: 'OnSuccess'
    timeout: 'PT20M'
    environmentVariables: [{ name: 'VAULT', value: vault.name }]
    // A new role assignment can take minutes to reach Key Vault: each secret is tried for up
    // to 10 minutes. 32 random bytes as hex; no value is ever printed.
    scriptContent: '''
set -eu
for secret in node-link-secret node-digest-secret; do
  for attempt in $(seq 1 40); do
    if az keyvault secret show --vault-name "$VAULT" -n "$secret" --query id -o none 2>/dev/null; then
      break
    fi
    value=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
    if az keyvault secret set --vault-name "$VAULT" -n "$secret" --value "$value" -o none 2>/dev/null; then
      break
    fi
    sleep 15
  done
  az keyvault secret show --vault-name "$VAULT" -n "$secret" --query id -o none
done
'''
  }
  dependsOn: [writerRole]
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

// NODE_PUBLIC_URL is not set: the node uses the site's own host name (WEBSITE_HOSTNAME,
// which App Service sets, also with unique default host names). Set it for a custom domain.
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
  dependsOn: [tablesRole, vaultRole, ensureSecrets]
}

// Deploys go through Entra (az webapp deploy with your own login), never with publishing
// user names and passwords: basic authentication is off for SCM and FTP.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
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

output siteName string = site.name
output hostName string = site.properties.defaultHostName
output messagingEndpoint string = 'https://${site.properties.defaultHostName}/api/messages'
output botAppId string = botAppId
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output keyVaultName string = vault.name
output storageTableEndpoint string = storage.properties.primaryEndpoints.table
