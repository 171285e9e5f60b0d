#!/usr/bin/env bash
# Installs code-server (VS Code 1.100.3 in a browser) from the npm registry alone, for the
# end-to-end test. Idempotent: a finished install leaves DIR/.pep725-ls-installed and is reused.
#
# Usage: install-code-server.sh [DIR]
#   DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/pep725-ls-tests/code-server-$CODE_SERVER_VERSION
# Needs Node 20 + npm; installs ripgrep, libkrb5-dev and a C toolchain with apt-get when missing
# (as root). code-server 4.100.3 is the last release whose engines allow Node 20.
set -euo pipefail
VER=${CODE_SERVER_VERSION:-4.100.3}
DIR=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/pep725-ls-tests/code-server-$VER}
MARK="$DIR/.pep725-ls-installed"
CS="$DIR/node_modules/.bin/code-server"
case "$(basename "$DIR")" in code-server*) ;; *) echo "refusing to install into $DIR: its name must start with code-server" >&2; exit 2;; esac
mkdir -p "$(dirname "$DIR")"
exec 9>"$DIR.lock"; flock 9          # two test runs at once install once
if [ -f "$MARK" ] && [ -x "$CS" ]; then
  echo "code-server $VER already installed in $DIR"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive npm_config_yes=true \
       npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false

need_apt=()
command -v rg >/dev/null || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v make >/dev/null && command -v g++ >/dev/null || need_apt+=(build-essential)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root to apt-get install ${need_apt[*]}" >&2; exit 1; }
  apt-get install -y -q "${need_apt[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null; apt-get install -y -q "${need_apt[@]}" >/dev/null; }
fi

rm -rf "$DIR"; mkdir -p "$DIR"; cd "$DIR"
printf '{"name":"pep725-ls-code-server","private":true}\n' > package.json
# code-server's postinstall.sh refuses root and downloads ripgrep from GitHub: skip scripts and
# do its steps by hand below.
npm install --no-save --ignore-scripts "code-server@$VER" >/dev/null
npm rebuild argon2 >/dev/null                 # its prebuilt download fails here; builds from source
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts >/dev/null
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg   # instead of the GitHub download
npm rebuild kerberos @vscode/deviceid @vscode/spdlog native-watchdog node-pty >/dev/null
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev >/dev/null)
"$CS" --config /dev/null --version
touch "$MARK"
