#!/bin/sh
# azd post-deploy hook (azure.yaml): the steps that need the deployed code or the built image. Each step runs on
# its own and reports its outcome; the hook fails at the end if any step failed, after trying them all.
#   1. Event Grid: subscribe each blob trigger to the storage account's system topic. Event Grid validates the
#      webhook when the subscription is created, and the host's `blobs` extension answers only once the code is
#      deployed; its system key (blobs_extension) appears late after a deploy, so it is fetched with retries.
#   2. Worker image: build Dockerfile.worker in the container registry (ACR Tasks) and point every compute job at
#      it. Where ACR Tasks are refused, the message says how to build and push the image another way.
#   3. Old worker images: keep the newest SLUICE_WORKER_IMAGES_KEPT (default 5) tags of sluice-worker.
# azd runs hooks with the environment's values (infra/bicep/main.bicep outputs) as environment variables.
# Re-running is safe: images get a new tag, subscriptions are created or updated in place.
# Tuning (tests use them): SLUICE_HOOK_KEY_ATTEMPTS (default 8), SLUICE_HOOK_RETRY_SECONDS (first wait, default 5;
# doubles each time, at most 60).
set -u

fail() {
  echo "postdeploy: $*" >&2
  exit 1
}
command -v az >/dev/null 2>&1 || fail "the Azure CLI (az) is required; see docs/deploy.md"
command -v node >/dev/null 2>&1 || fail "Node.js 20 or later is required"
for name in AZURE_RESOURCE_GROUP AZURE_FUNCTION_APP_NAME AZURE_CONTAINER_REGISTRY_NAME \
  AZURE_CONTAINER_REGISTRY_ENDPOINT AZURE_EVENTGRID_SYSTEM_TOPIC_NAME SLUICE_WORKER_JOB_NAMES; do
  eval "value=\${$name:-}"
  [ -n "$value" ] || fail "$name is not set; run this through azd (azd up, azd deploy or azd hooks run postdeploy)"
done

attempts="${SLUICE_HOOK_KEY_ATTEMPTS:-8}"
first_wait="${SLUICE_HOOK_RETRY_SECONDS:-5}"
outcomes=""
failed=0
report() { # step, outcome
  echo "postdeploy: [$1] $2"
  outcomes="$outcomes
  $1: $2"
}

# --- 1. Event Grid subscriptions for blob triggers ---------------------------------------------------------------
# The blobs_extension system key authenticates Event Grid to the webhook. It stays in this shell: never printed.
blobs_key() {
  i=1
  wait="$first_wait"
  while :; do
    key="$(az functionapp keys list --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
      --query systemKeys.blobs_extension --output tsv 2>/dev/null)" && [ -n "$key" ] && return 0
    [ "$i" -ge "$attempts" ] && return 1
    echo "postdeploy: the host has no blobs_extension key yet (try $i of $attempts; it appears a few minutes after a deploy, and the call can answer 503); next try in ${wait}s"
    sleep "$wait"
    i=$((i + 1))
    wait=$((wait * 2))
    [ "$wait" -gt 60 ] && wait=60
  done
}

subscribe() {
  triggers="$(node infra/hooks/blob-triggers.cjs)" || return 1
  if [ -z "$triggers" ]; then
    report "event grid" "skipped: the app registers no Event Grid blob trigger"
    return 0
  fi
  host="$(az functionapp show --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
    --query defaultHostName --output tsv)" || return 1
  if ! blobs_key; then
    report "event grid" "FAILED: the host has no blobs_extension key after $attempts tries (it creates it when it first loads a blob trigger); wait a few minutes, then run: azd hooks run postdeploy"
    return 2
  fi
  # A here-document, not a pipe: the loop runs in this shell, so a failure is seen.
  while read -r function container; do
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
      --output none || return 1
  done <<TRIGGERS
$triggers
TRIGGERS
  report "event grid" "ok: $(echo "$triggers" | wc -l | tr -d ' ') subscription(s) created or updated"
}

subscribe
status=$?
if [ "$status" -eq 1 ]; then report "event grid" "FAILED (see the az error above); rerun: azd hooks run postdeploy"; fi
[ "$status" -ne 0 ] && failed=1

# --- 2. worker image ---------------------------------------------------------------------------------------------
tag="$(date -u +%Y%m%d%H%M%S)"
image="$AZURE_CONTAINER_REGISTRY_ENDPOINT/sluice-worker:$tag"
build_log="$(mktemp)"
echo "postdeploy: building $image in the registry (az acr build; no local Docker needed)"
if az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "sluice-worker:$tag" --file Dockerfile.worker . \
  >"$build_log" 2>&1; then
  cat "$build_log"
  image_ok=1
  for job in $(echo "$SLUICE_WORKER_JOB_NAMES" | tr ',' ' '); do
    echo "postdeploy: job $job now runs $image"
    az containerapp job update --name "$job" --resource-group "$AZURE_RESOURCE_GROUP" --image "$image" --output none \
      || image_ok=0
  done
  if [ "$image_ok" -eq 1 ]; then
    # The next `azd provision` keeps the image instead of going back to the placeholder.
    azd env set SLUICE_WORKER_IMAGE "$image"
    report "worker image" "ok: $image"
  else
    report "worker image" "FAILED: built $image but a job could not be updated (see above)"
    failed=1
  fi
else
  cat "$build_log" >&2
  if grep -qiE "TasksOperationsNotAllowed|ACR Tasks|not allowed|not supported for this subscription" "$build_log"; then
    report "worker image" "FAILED: this subscription does not allow ACR Tasks (az acr build). Build and push the image with Docker instead, then run: azd env set SLUICE_WORKER_IMAGE <image> && azd provision (docs/deploy.md, \"Without ACR Tasks\")"
  else
    report "worker image" "FAILED: az acr build did not succeed (see above); rerun: azd hooks run postdeploy"
  fi
  failed=1
  image_ok=0
fi
rm -f "$build_log"

# --- 3. old worker images ----------------------------------------------------------------------------------------
kept="${SLUICE_WORKER_IMAGES_KEPT:-5}"
if [ "$image_ok" -eq 1 ]; then
  old="$(az acr repository show-tags --name "$AZURE_CONTAINER_REGISTRY_NAME" --repository sluice-worker \
    --orderby time_desc --output tsv 2>/dev/null | tail -n "+$((kept + 1))")"
  purged=0
  for t in $old; do
    az acr repository delete --name "$AZURE_CONTAINER_REGISTRY_NAME" --image "sluice-worker:$t" --yes --output none \
      && purged=$((purged + 1))
  done
  report "old images" "ok: kept the newest $kept, deleted $purged"
else
  report "old images" "skipped: no new image"
fi

echo "postdeploy: summary$outcomes"
exit "$failed"
