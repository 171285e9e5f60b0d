#!/usr/bin/env bash
# Builds editors/vscode/pep725-ls.vsix with the server inside: the pep725-ls package and its
# Python libraries are pip-installed into bundled/libs (all pure Python, so one .vsix serves
# every platform), then a clean npm install from package-lock.json, type-check, esbuild bundle,
# vsce package. Needs Node >= 20, npm and Python >= 3.11 with pip.
#   bash editors/vscode/build.sh        then: code --install-extension editors/vscode/pep725-ls.vsix
# PEP725_LS_WHEEL=path/to.whl bundles that wheel (release.sh does) instead of this checkout.
set -euo pipefail
PYTHON=${PYTHON:-python3}
case "$PYTHON" in */*) PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")" ;; esac  # before the cd
cd "$(dirname "$0")"
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "build.sh: $PYTHON is older than 3.11; set PYTHON=/path/to/python3.11+" >&2; exit 1; }
rm -rf bundled/libs
"$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile --target bundled/libs \
  "${PEP725_LS_WHEEL:-../..}"
rm -rf bundled/libs/bin   # console scripts with this machine's interpreter path: not used
cp ../../LICENSE LICENSE   # the project's licence goes into the .vsix
npm ci
npm run package
ls -l pep725-ls.vsix
