#!/usr/bin/env bash
# Builds editors/vscode/pep725-ls.vsix: clean install from package-lock.json, type-check, bundle
# with esbuild, package with vsce. Needs Node >= 20 and npm; nothing else.
#   bash editors/vscode/build.sh        then: code --install-extension editors/vscode/pep725-ls.vsix
set -euo pipefail
cd "$(dirname "$0")"
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
cp ../../LICENSE LICENSE   # the project's licence goes into the .vsix
npm ci
npm run package
ls -l pep725-ls.vsix
