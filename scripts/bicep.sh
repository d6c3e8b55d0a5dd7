#!/usr/bin/env bash
# The real Bicep CLI for the templates under infra/bicep, restored from NuGet with `dotnet` (package
# Azure.Bicep.CommandLine.<os>-<arch>) into .tools/bicep/<version>/ (ignored by git; restored once, then reused).
#   scripts/bicep.sh check        build and lint infra/bicep/main.bicep; any warning fails (exit 1)
#   scripts/bicep.sh path         restore if needed, print the CLI's path
#   scripts/bicep.sh build FILE   compile FILE to ARM JSON on stdout (diagnostics on stderr; warnings fail)
# Exit 3 means "no Bicep CLI and no dotnet to restore it": npm test skips the check then, except under CI=true.
# Rules turned off or changed are in infra/bicep/bicepconfig.json, each with the reason.
set -euo pipefail

# Pinned: a new version can bring new lint rules, so it is raised on purpose (and the templates fixed) in one commit.
BICEP_VERSION=0.49.2

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/.tools/bicep/$BICEP_VERSION"

platform() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    *) echo "bicep: unsupported OS $(uname -s); install the Bicep CLI and set SLUICE_BICEP to its path" >&2; exit 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "bicep: unsupported architecture $(uname -m); set SLUICE_BICEP to a Bicep CLI" >&2; exit 1 ;;
  esac
  echo "$os-$arch"
}

cli() {
  if [ -n "${SLUICE_BICEP:-}" ]; then
    echo "$SLUICE_BICEP"
    return
  fi
  local package bin
  package="Azure.Bicep.CommandLine.$(platform)"
  bin="$tools/packages/$(echo "$package" | tr 'A-Z' 'a-z')/$BICEP_VERSION/tools/bicep"
  if [ ! -x "$bin" ]; then
    if ! command -v dotnet >/dev/null 2>&1; then
      echo "bicep: skipped, dotnet not found; install the .NET SDK (8 or later) to compile and lint infra/bicep (docs/deploy.md)" >&2
      exit 3
    fi
    mkdir -p "$tools"
    # A project that only downloads the package: `dotnet restore` fetches it from NuGet into $tools/packages.
    cat >"$tools/restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$package" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
XML
    echo "bicep: restoring $package $BICEP_VERSION from NuGet into .tools/bicep/" >&2
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet restore "$tools/restore.csproj" --packages "$tools/packages" >&2
    chmod +x "$bin"
  fi
  echo "$bin"
}

# Runs the CLI; its diagnostics go to stderr, and any warning or error fails.
strict() {
  local log status=0
  log="$(mktemp)"
  "$@" 2>"$log" || status=$?
  cat "$log" >&2
  if grep -qE ': (Warning|Error) ' "$log"; then status=1; fi
  rm -f "$log"
  return "$status"
}

export DOTNET_CLI_TELEMETRY_OPTOUT=1 BICEP_TELEMETRY_ENABLED=false
case "${1:-check}" in
  path) cli ;;
  build)
    [ -n "${2:-}" ] || { echo "usage: scripts/bicep.sh build FILE" >&2; exit 2; }
    bin="$(cli)"
    strict "$bin" build "$2" --stdout
    ;;
  check)
    bin="$(cli)"
    main="$root/infra/bicep/main.bicep"
    out="$(mktemp -d)"
    trap 'rm -rf "$out"' EXIT
    echo "bicep: build $("$bin" --version | head -1)" >&2
    strict "$bin" build "$main" --outdir "$out" || { echo "bicep: build failed (warnings count as errors)" >&2; exit 1; }
    strict "$bin" lint "$main" || { echo "bicep: lint failed (warnings count as errors)" >&2; exit 1; }
    echo "bicep: infra/bicep/main.bicep builds and lints with no warning" >&2
    ;;
  *)
    echo "usage: scripts/bicep.sh [check|path|build FILE]" >&2
    exit 2
    ;;
esac
