#!/usr/bin/env bash
# Installs what tests/web.test.sh needs: Debian's Chromium (the browser playwright-core drives; no browser is
# downloaded) and the npm packages of plugins/web. Idempotent. Needs Node >= 20 with npm.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi
cd "$ROOT/plugins/web"
if [ ! -d node_modules/ol ] || [ ! -d node_modules/playwright-core ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build >/dev/null
echo "web test prerequisites ready: $(/usr/bin/chromium --version 2>/dev/null | head -1), node $(node --version)"
