#!/usr/bin/env bash
# Builds every release artifact into dist/: the sdist and the wheel (`python -m build`, which
# builds the wheel from the sdist, so the sdist is proved complete), then the VS Code extension
# with that wheel bundled in it (editors/vscode/build.sh).
#   bash release.sh   ->  dist/pep725_ls-X.tar.gz  dist/pep725_ls-X-py3-none-any.whl  dist/pep725-ls-X.vsix
# Needs Python >= 3.11 with the `build` package (in the test extras: pip install -e '.[test]'),
# Node >= 20 and npm. PYTHON=/path/to/python picks the interpreter (default: python3).
set -euo pipefail
PYTHON=${PYTHON:-python3}
case "$PYTHON" in */*) PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")" ;; esac  # before the cd
cd "$(dirname "$0")"
"$PYTHON" -m build --version >/dev/null 2>&1 \
  || { echo "release.sh: $PYTHON has no 'build' package: $PYTHON -m pip install build" >&2; exit 1; }
rm -rf dist
"$PYTHON" -m build --outdir dist .
wheels=(dist/pep725_ls-*-py3-none-any.whl)
version=$(basename "${wheels[0]}" | cut -d- -f2)
PYTHON="$PYTHON" PEP725_LS_WHEEL="$PWD/${wheels[0]}" bash editors/vscode/build.sh
cp editors/vscode/pep725-ls.vsix "dist/pep725-ls-$version.vsix"
ls -l dist
