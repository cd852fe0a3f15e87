#!/usr/bin/env bash
# Installs what the end-to-end suites (test/e2e) need on a fresh Debian 12 machine, using only the
# Debian apt archive and the npm registry (see docs "End-to-end tests"):
#   apt:  chromium, neovim, ripgrep, libkrb5-dev   (system packages; needs root or sudo)
#   npm:  code-server@4.100.3 and playwright-core, into .e2e-cache/ (git-ignored), NOT into package.json
# Idempotent: every step is skipped when its result already exists, so a second run takes seconds.
# Usage: scripts/e2e-setup.sh            (E2E_CACHE=/other/dir to move the cache)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${E2E_CACHE:-$ROOT/.e2e-cache}
CS_VERSION=4.100.3          # newest code-server that runs on Node 20 (ships VS Code 1.100.3)
PW_VERSION=1.65.1           # playwright-core: drives Debian's chromium over CDP, downloads no browser
RG_NPM_VERSION=1.15.11      # @vscode/ripgrep version code-server 4.100.3 depends on (its download cache name)
RG_RELEASE=v13.0.0-10       # the ripgrep release that @vscode/ripgrep 1.15.11 downloads

T0=$(date +%s)
step() { echo "[e2e-setup +$(( $(date +%s) - T0 ))s] $*"; }

mkdir -p "$CACHE/tmp" "$CACHE/xdg"
# Keep every temporary file (ripgrep download cache, node-gyp scratch) inside the cache, and the logs that
# `nvim --version` and `code-server --version` write (~/.cache/nvim, ~/.local/share/code-server) too.
export TMPDIR="$CACHE/tmp"
export XDG_CACHE_HOME="$CACHE/xdg/cache" XDG_DATA_HOME="$CACHE/xdg/data" XDG_CONFIG_HOME="$CACHE/xdg/config" XDG_STATE_HOME="$CACHE/xdg/state"

# --- 1. apt packages --------------------------------------------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
[ -e /usr/include/gssapi.h ] || [ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
if [ ${#missing[@]} -eq 0 ]; then
  step "apt: chromium, neovim, ripgrep, libkrb5-dev already installed"
else
  SUDO=
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
      echo "e2e-setup: need root to run: apt-get install -y --no-install-recommends ${missing[*]}" >&2; exit 1
    fi
  fi
  step "apt-get update"
  $SUDO apt-get update -qq
  step "apt-get install --no-install-recommends ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  step "apt: done"
fi
step "versions: $(/usr/bin/chromium --version 2>/dev/null | head -1); $(nvim --version | head -1); $(rg --version | head -1)"

# --- 2. playwright-core -----------------------------------------------------------------------
PW=$CACHE/playwright
if [ "$(node -p "try{require('$PW/node_modules/playwright-core/package.json').version}catch{''}")" = "$PW_VERSION" ]; then
  step "npm: playwright-core@$PW_VERSION already in $PW"
else
  step "npm: installing playwright-core@$PW_VERSION into $PW"
  mkdir -p "$PW"
  [ -f "$PW/package.json" ] || echo '{"name":"e2e-playwright","private":true}' > "$PW/package.json"
  (cd "$PW" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error "playwright-core@$PW_VERSION")
fi

# --- 3. code-server ---------------------------------------------------------------------------
CS=$CACHE/code-server
CSBIN=$CS/node_modules/.bin/code-server
if [ -x "$CSBIN" ] && "$CSBIN" --config /dev/null --version 2>/dev/null | grep -q "^$CS_VERSION "; then
  step "npm: code-server@$CS_VERSION already in $CS"
else
  # Workaround 1: @vscode/ripgrep's postinstall downloads rg from api.github.com unless its cache file
  # exists in $TMPDIR: seed that cache with Debian's /usr/bin/rg.
  RGCACHE=$TMPDIR/vscode-ripgrep-cache-$RG_NPM_VERSION
  RGTAR=$RGCACHE/ripgrep-$RG_RELEASE-$(uname -m)-unknown-linux-musl.tar.gz
  if [ ! -f "$RGTAR" ]; then
    step "seeding $RGTAR with $(command -v rg)"
    mkdir -p "$RGCACHE" "$TMPDIR/rgpack"
    cp "$(command -v rg)" "$TMPDIR/rgpack/rg"
    tar czf "$RGTAR" -C "$TMPDIR/rgpack" rg
  fi
  step "npm: installing code-server@$CS_VERSION into $CS (builds native modules; 2-4 min)"
  mkdir -p "$CS"
  [ -f "$CS/package.json" ] || echo '{"name":"e2e-code-server","private":true}' > "$CS/package.json"
  # unsafe_perm: code-server's postinstall refuses to run as root without it.
  # yes (workaround 2): node-pty's postinstall runs `npx node-gyp`, which has no TTY to confirm.
  (cd "$CS" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION")
  "$CSBIN" --config /dev/null --version | head -1
fi

step "done in $(( $(date +%s) - T0 ))s (cache: $CACHE, $(du -sh "$CACHE" | cut -f1))"
