#!/bin/sh
# azd post-deploy hook (azure.yaml): the steps that need the deployed code or the built image.
#   1. Build the worker image (Dockerfile.worker) in the container registry and point every compute job at it.
#   2. Subscribe each Event Grid blob trigger to the storage account's system topic. Event Grid validates a webhook
#      when the subscription is created, and the host's `blobs` extension only answers once the code is deployed.
# azd runs hooks with the environment's values (infra/bicep/main.bicep outputs) as environment variables.
# Re-running is safe: images get a new tag, subscriptions are created or updated in place.
set -eu

fail() {
  echo "postdeploy: $*" >&2
  exit 1
}
command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is required; see docs/deploy.md"
command -v node >/dev/null 2>&1 || fail "Node.js 20 is required"
for name in AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME AZURE_CONTAINER_REGISTRY_NAME \
  AZURE_CONTAINER_REGISTRY_ENDPOINT AZURE_EVENTGRID_SYSTEM_TOPIC_NAME SLUICE_WORKER_JOB_NAMES; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set; run this through azd (azd up, azd deploy or azd hooks run postdeploy)"
done

# --- 1. worker image -------------------------------------------------------------------------------------------
tag="$(date -u +%Y%m%d%H%M%S)"
image="$AZURE_CONTAINER_REGISTRY_ENDPOINT/sluice-worker:$tag"
echo "postdeploy: building $image in the registry (az acr build; no local Docker needed)"
az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "sluice-worker:$tag" --file Dockerfile.worker .
for job in $(echo "$SLUICE_WORKER_JOB_NAMES" | tr ',' ' '); do
  echo "postdeploy: job $job now runs $image"
  az containerapp job update --name "$job" --resource-group "$AZURE_RESOURCE_GROUP" --image "$image" --output none
done
# The next `azd provision` keeps the image instead of going back to the placeholder.
azd env set SLUICE_WORKER_IMAGE "$image"

# --- 2. Event Grid subscriptions for blob triggers ---------------------------------------------------------------
triggers="$(node infra/hooks/blob-triggers.cjs)"
if [ -z "$triggers" ]; then
  echo "postdeploy: the app registers no Event Grid blob trigger; no subscription to create"
  exit 0
fi
host="$(az functionapp show --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
  --query defaultHostName --output tsv)"
# The blobs_extension system key authenticates Event Grid to the webhook. It stays in this shell: never printed.
key="$(az functionapp keys list --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
  --query systemKeys.blobs_extension --output tsv)"
[ -n "$key" ] || fail "the host has not created its blobs_extension key yet (it does when it first loads a blob \
trigger); wait a minute, then run: azd hooks run postdeploy"
echo "$triggers" | while read -r function container; do
  name="$(echo "sluice-$function" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9-\n' '-' | cut -c1-64)"
  echo "postdeploy: subscribing $function to blobs created in $container"
  az eventgrid system-topic event-subscription create \
    --name "$name" \
    --resource-group "$AZURE_RESOURCE_GROUP" \
    --system-topic-name "$AZURE_EVENTGRID_SYSTEM_TOPIC_NAME" \
    --endpoint-type webhook \
    --endpoint "https://$host/runtime/webhooks/blobs?functionName=Host.Functions.$function&code=$key" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/$container/" \
    --output none
done
