#!/usr/bin/env bash
# Creates (or updates) the Microsoft Entra app registration that protects a Sluice deployment, and assigns its app
# roles. Uses only the Azure CLI (`az login` first, as someone allowed to register applications). Creates no client
# secret and prints none: callers get tokens with their own identity (az CLI, @azure/identity, managed identities).
#
#   scripts/entra-app.sh create [--name NAME] [--studio-url URL]
#       App registration NAME (default: sluice-api) with:
#         - identifier URI api://<appId> (the audience clients ask for),
#         - app roles Sluice.Read, Sluice.Run, Sluice.Admin for users and applications (admin ⊃ run ⊃ read),
#         - a delegated scope user_impersonation, pre-authorized for the Azure CLI so that
#           `az account get-access-token --resource api://<appId>` works without a consent prompt,
#         - a service principal that requires a role assignment before it issues a token,
#         - Studio's sign-in redirect https://<app>/studio/ on the single-page-application platform (MSAL.js, code
#           flow with PKCE), from --studio-url (the app's URL) or the azd environment's SLUICE_API_URL after `azd up`.
#       Prints the value for SLUICE_AUTH_AUDIENCE and sets it in the current azd environment when there is one.
#
#   scripts/entra-app.sh assign --role ROLE (--user UPN|OBJECT_ID|me | --sp APP_ID|OBJECT_ID) [--name NAME]
#       Gives one user or service principal (e.g. a pipeline, or another app's managed identity) one app role.
set -euo pipefail

AZURE_CLI_APP_ID='04b07795-8ddb-461a-bbee-02f9e1bf7b46'
GRAPH='https://graph.microsoft.com/v1.0'
ROLES=(Sluice.Read Sluice.Run Sluice.Admin)
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT

die() {
  echo "entra-app: $*" >&2
  exit 1
}

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

new_uuid() {
  if command -v uuidgen >/dev/null 2>&1; then uuidgen | tr 'A-Z' 'a-z'; else python3 -c 'import uuid; print(uuid.uuid4())'; fi
}

role_description() {
  case "$1" in
    Sluice.Read) echo 'Read runs, step logs, pipelines, schedules and datastores.' ;;
    Sluice.Run) echo 'Everything Sluice.Read allows, plus submitting and cancelling runs and uploading snapshots.' ;;
    Sluice.Admin) echo 'Everything Sluice.Run allows, plus publishing pipelines and managing endpoints and schedules.' ;;
  esac
}

# The app id of the registration named $1, or nothing.
find_app() {
  az ad app list --display-name "$1" --query '[0].appId' --output tsv
}

# Studio's redirect URI for an app URL: https://host[/studio[/]] (or http://localhost:port for a local test) →
# https://host/studio/. Dies on anything else.
studio_redirect() {
  local url="${1%/}"
  url="${url%/studio}"
  [[ "$url" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?$ || "$url" =~ ^http://(localhost|127\.0\.0\.1)(:[0-9]+)?$ ]] ||
    die "--studio-url must be the app's https URL, e.g. https://sluice-api.azurewebsites.net, not \"$1\""
  echo "$url/studio/"
}

# Adds Studio's redirect URI to the registration's single-page-application redirect URIs, keeping the others.
add_spa_redirect() {
  local app_id="$1" object_id="$2" redirect="$3" existing uris='' uri
  existing="$(az ad app show --id "$app_id" --query 'spa.redirectUris' --output tsv)"
  for uri in $existing; do
    [[ "$uri" == "$redirect" ]] && {
      echo "Studio's sign-in redirect $redirect is registered already."
      return
    }
    uris+="\"$uri\","
  done
  printf '{"spa":{"redirectUris":[%s"%s"]}}' "$uris" "$redirect" >"$tmp"
  az rest --method PATCH --uri "$GRAPH/applications/$object_id" --headers 'Content-Type=application/json' --body "@$tmp"
  echo "Added Studio's sign-in redirect $redirect (single-page application)."
}

create() {
  local name="$1" studio_url="$2" app_id object_id redirect=''
  command -v az >/dev/null 2>&1 || die 'the Azure CLI (az) is required'
  app_id="$(find_app "$name")"
  if [[ -z "$app_id" ]]; then
    echo "Creating app registration \"$name\""
    app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg --query appId --output tsv)"
  else
    echo "Updating app registration \"$name\" ($app_id)"
  fi
  object_id="$(az ad app show --id "$app_id" --query id --output tsv)"
  az ad app update --id "$app_id" --identifier-uris "api://$app_id"

  # App roles, keeping the ids of roles that already exist (assignments refer to them).
  {
    echo '['
    local first=1 role id
    for role in "${ROLES[@]}"; do
      id="$(az ad app show --id "$app_id" --query "appRoles[?value=='$role'].id | [0]" --output tsv)"
      [[ -n "$id" ]] || id="$(new_uuid)"
      [[ $first -eq 1 ]] || echo ','
      first=0
      printf '{"allowedMemberTypes":["User","Application"],"description":"%s","displayName":"%s","id":"%s","isEnabled":true,"value":"%s"}\n' \
        "$(role_description "$role")" "$role" "$id" "$role"
    done
    echo ']'
  } >"$tmp"
  az ad app update --id "$app_id" --app-roles "@$tmp"

  # A delegated scope, so that user tokens can be issued at all, pre-authorized for the Azure CLI.
  local scope_id
  scope_id="$(az ad app show --id "$app_id" --query "api.oauth2PermissionScopes[?value=='user_impersonation'].id | [0]" --output tsv)"
  if [[ -z "$scope_id" ]]; then
    scope_id="$(new_uuid)"
    printf '{"api":{"oauth2PermissionScopes":[{"id":"%s","value":"user_impersonation","type":"User","isEnabled":true,"adminConsentDisplayName":"Access Sluice","adminConsentDescription":"Call the Sluice API as the signed-in user, within the app roles the user holds.","userConsentDisplayName":"Access Sluice","userConsentDescription":"Call the Sluice API on your behalf."}]}}' \
      "$scope_id" >"$tmp"
    az rest --method PATCH --uri "$GRAPH/applications/$object_id" --headers 'Content-Type=application/json' --body "@$tmp"
  fi
  printf '{"api":{"preAuthorizedApplications":[{"appId":"%s","delegatedPermissionIds":["%s"]}]}}' \
    "$AZURE_CLI_APP_ID" "$scope_id" >"$tmp"
  az rest --method PATCH --uri "$GRAPH/applications/$object_id" --headers 'Content-Type=application/json' --body "@$tmp"

  # The service principal holds the role assignments; tokens are issued only to principals that have one.
  if ! az ad sp show --id "$app_id" --query id --output tsv >/dev/null 2>&1; then
    az ad sp create --id "$app_id" --output none
  fi
  az ad sp update --id "$app_id" --set appRoleAssignmentRequired=true

  # Studio signs in with MSAL.js (authorization code + PKCE) and returns to https://<app>/studio/.
  if [[ -z "$studio_url" ]] && command -v azd >/dev/null 2>&1; then
    studio_url="$(azd env get-value SLUICE_API_URL 2>/dev/null || true)"
  fi
  if [[ -n "$studio_url" ]]; then
    redirect="$(studio_redirect "$studio_url")"
    add_spa_redirect "$app_id" "$object_id" "$redirect"
  else
    echo "Studio's sign-in redirect is not registered yet: after azd up, run this again (or pass --studio-url https://<app>)."
  fi

  local audience="api://$app_id,$app_id"
  echo
  echo "App registration: $name"
  echo "Application (client) id: $app_id"
  echo "Token resource: api://$app_id"
  echo "SLUICE_AUTH_AUDIENCE=$audience"
  if command -v azd >/dev/null 2>&1 && azd env get-values >/dev/null 2>&1; then
    azd env set SLUICE_AUTH_AUDIENCE "$audience"
    echo "Set SLUICE_AUTH_AUDIENCE in the current azd environment."
  else
    echo "Run: azd env set SLUICE_AUTH_AUDIENCE \"$audience\""
  fi
  echo "Next: scripts/entra-app.sh assign --role Sluice.Admin --user me"
}

assign() {
  local name="$1" role="$2" kind="$3" who="$4" app_id sp_id role_id principal_id existing
  [[ " ${ROLES[*]} " == *" $role "* ]] || die "--role must be one of ${ROLES[*]}, not \"$role\""
  app_id="$(find_app "$name")"
  [[ -n "$app_id" ]] || die "no app registration named \"$name\"; run: scripts/entra-app.sh create --name \"$name\""
  sp_id="$(az ad sp show --id "$app_id" --query id --output tsv)"
  role_id="$(az ad sp show --id "$app_id" --query "appRoles[?value=='$role'].id | [0]" --output tsv)"
  [[ -n "$role_id" ]] || die "the app registration has no role $role; run: scripts/entra-app.sh create --name \"$name\""
  case "$kind" in
    user)
      if [[ "$who" == me ]]; then
        principal_id="$(az ad signed-in-user show --query id --output tsv)"
      else
        principal_id="$(az ad user show --id "$who" --query id --output tsv)"
      fi
      ;;
    sp) principal_id="$(az ad sp show --id "$who" --query id --output tsv)" ;;
  esac
  [[ -n "$principal_id" ]] || die "could not find $kind \"$who\""
  existing="$(az rest --method GET --uri "$GRAPH/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --query "length(value[?principalId=='$principal_id' && appRoleId=='$role_id'])" --output tsv)"
  if [[ "$existing" != 0 ]]; then
    echo "$kind $who already has $role"
    return
  fi
  az rest --method POST --uri "$GRAPH/servicePrincipals/$sp_id/appRoleAssignedTo" \
    --headers 'Content-Type=application/json' \
    --body "{\"principalId\":\"$principal_id\",\"resourceId\":\"$sp_id\",\"appRoleId\":\"$role_id\"}" \
    --output none
  echo "Gave $kind $who the role $role (new tokens carry it; sign in again if a token is cached)."
}

main() {
  local command="${1:-}" name='sluice-api' role='' kind='' who='' studio_url=''
  [[ -n "$command" ]] || usage
  shift
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --name) name="${2:?--name needs a value}"; shift 2 ;;
      --studio-url) studio_url="${2:?--studio-url needs the app URL}"; shift 2 ;;
      --role) role="${2:?--role needs a value}"; shift 2 ;;
      --user) kind=user; who="${2:?--user needs a UPN, an object id or me}"; shift 2 ;;
      --sp) kind=sp; who="${2:?--sp needs an app id or an object id}"; shift 2 ;;
      -h | --help) usage 0 ;;
      *) die "unknown option \"$1\"; see scripts/entra-app.sh --help" ;;
    esac
  done
  case "$command" in
    create)
      [[ -z "$studio_url" ]] || studio_redirect "$studio_url" >/dev/null
      create "$name" "$studio_url"
      ;;
    assign)
      [[ -n "$role" ]] || die 'assign needs --role Sluice.Read|Sluice.Run|Sluice.Admin'
      [[ -n "$kind" ]] || die 'assign needs --user or --sp'
      assign "$name" "$role" "$kind" "$who"
      ;;
    -h | --help) usage 0 ;;
    *) die "unknown command \"$command\"; use create or assign" ;;
  esac
}

main "$@"
