#!/usr/bin/env bash
# End-to-end test of the web map client (plugins/web) in headless Chromium against a real `rsgeo serve`.
#
#   1. npm ci (when needed) and the build of plugins/web into plugins/web/dist
#   2. unit tests of the page's modules (node --test)
#   3. a private embedded database (RSGEO_DATA_DIR in a temp folder), ingest of shared rasters
#   4. `rsgeo serve` on a free loopback port, which serves the page at /
#   5. plugins/web/test/e2e.mjs: Debian's Chromium through playwright-core (no browser download): type a query,
#      draw a box, set dates, compare results and footprints with the API, open a chip, ...; screenshot in
#      artifacts/web/search.png
#
# Environment:
#   RSGEO_SHARED_DATA  shared data folder (default: ../shared/data beside the repository)
#   RSGEO_WEB_RASTERS  rasters to ingest, space-separated, relative to the shared data folder or absolute
#                      (default: rasters/naip-north-dakota rasters/rapideye-sanfrancisco rasters/landsat-pucallpa rasters/landsat7-bahamas)
#   RSGEO_WEB_URL      test a server that already runs instead of starting one (skips 3 and 4)
#   RSGEO_WEB_QUERY    the text query typed (default: farmland)
#   RSGEO_WEB_MODEL    --model for ingest and serve (default: the bundled default model)
#   CHROMIUM           the browser (default: /usr/bin/chromium)
#   RSGEO              the rsgeo command (default: ./rsgeo, which builds when sources changed)
# Needs: apt-get install -y --no-install-recommends chromium; Node >= 20 with npm (see tests/web.setup.sh).
# Last line: "N passed, N failed"; exit status non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
WEB="$ROOT/plugins/web"
ARTIFACTS="$ROOT/artifacts/web"
mkdir -p "$ARTIFACTS"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rsgeo-web.XXXXXX")
chmod 711 "$TMP"   # traversable: run as root, the embedded PostgreSQL runs as 'postgres' and must reach $TMP/db
SERVER_PID=""
PROXY_PID=""
STARTED_DB=0
passed=0
failed=0

stop_pid() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null
}

cleanup() {
  stop_pid "$PROXY_PID"
  stop_pid "$SERVER_PID"
  if [ "$STARTED_DB" = 1 ]; then rsgeo db stop >>"$TMP/db.log" 2>&1; fi
  cp "$TMP"/*.log "$ARTIFACTS/" 2>/dev/null
  if [ "${RSGEO_WEB_KEEP_TMP:-0}" != 1 ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

fail() {
  echo "web.test: $*" >&2
  for log in "$TMP"/*.log; do
    [ -s "$log" ] || continue
    echo "--- last lines of $(basename "$log")" >&2
    tail -n 30 "$log" >&2
  done
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
}

RSGEO_CMD=${RSGEO:-./rsgeo}
rsgeo() { $RSGEO_CMD "$@"; }

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

command -v node >/dev/null || fail "node is not installed (Node >= 20 and npm)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || fail "Chromium is missing at $CHROMIUM: apt-get install -y --no-install-recommends chromium"
export CHROMIUM

echo "==> plugins/web: npm ci and build"
t0=$SECONDS
if [ ! -d "$WEB/node_modules/ol" ] || [ ! -d "$WEB/node_modules/playwright-core" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error) >"$TMP/npm.log" 2>&1 || fail "npm ci failed in plugins/web"
fi
(cd "$WEB" && npm run --silent build) >"$TMP/build.log" 2>&1 || fail "the build of plugins/web failed"
[ -f "$WEB/dist/index.html" ] || fail "the build wrote no dist/index.html"
echo "    $((SECONDS - t0)) s"

echo "==> unit tests (node --test)"
(cd "$WEB" && node --test --test-reporter=tap test/unit/) >"$TMP/unit.log" 2>&1
unit_pass=$(grep -E '^# pass [0-9]+' "$TMP/unit.log" | awk '{print $3}')
unit_fail=$(grep -E '^# fail [0-9]+' "$TMP/unit.log" | awk '{print $3}')
if [ -z "$unit_pass" ]; then
  failed=$((failed + 1)); tail -n 20 "$TMP/unit.log"
else
  passed=$((passed + unit_pass)); failed=$((failed + ${unit_fail:-0}))
  [ "${unit_fail:-0}" = 0 ] || grep -E '^not ok' "$TMP/unit.log"
  echo "    $unit_pass passed, ${unit_fail:-0} failed"
fi

if [ -n "${RSGEO_WEB_URL:-}" ]; then
  URL=${RSGEO_WEB_URL%/}
  echo "==> using the running server $URL"
else
  SHARED=${RSGEO_SHARED_DATA:-"$ROOT/../shared/data"}
  [ -d "$SHARED" ] || fail "shared data not found at $SHARED (set RSGEO_SHARED_DATA)"
  rasters=()
  for r in ${RSGEO_WEB_RASTERS:-rasters/naip-north-dakota rasters/rapideye-sanfrancisco rasters/landsat-pucallpa rasters/landsat7-bahamas}; do
    case "$r" in /*) path=$r ;; *) path="$SHARED/$r" ;; esac
    [ -e "$path" ] || fail "raster $path not found"
    rasters+=("$path")
  done

  export RSGEO_DATA_DIR="$TMP/db"     # a private embedded database: never touches anyone else's
  unset RSGEO_DATABASE_URL RSGEO_API_KEY
  model_args=()
  [ -n "${RSGEO_WEB_MODEL:-}" ] && model_args=(--model "$RSGEO_WEB_MODEL")

  echo "==> rsgeo db start ($RSGEO_DATA_DIR)"
  STARTED_DB=1
  t0=$SECONDS
  rsgeo db start >"$TMP/db.log" 2>&1 || fail "rsgeo db start failed"
  echo "    $((SECONDS - t0)) s"

  echo "==> rsgeo ingest ${rasters[*]}"
  t0=$SECONDS
  rsgeo ingest "${model_args[@]}" "${rasters[@]}" >"$TMP/ingest.log" 2>&1 || fail "rsgeo ingest failed"
  tail -n 3 "$TMP/ingest.log" | sed 's/^/    /'
  echo "    $((SECONDS - t0)) s"

  PORT=$(free_port)
  URL="http://127.0.0.1:$PORT"
  echo "==> rsgeo serve --port $PORT"
  $RSGEO_CMD serve "${model_args[@]}" --port "$PORT" >"$TMP/serve.log" 2>&1 &   # not through a function: $! is the server
  SERVER_PID=$!
  for _ in $(seq 1 240); do
    curl -fs "$URL/health" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "rsgeo serve exited"
    sleep 0.5
  done
  curl -fs "$URL/health" >/dev/null 2>&1 || fail "rsgeo serve did not answer /health within 120 s"
fi

echo "==> the page at $URL/"
PAGE_URL=$URL
if curl -fs -H 'Accept: text/html' "$URL/" 2>/dev/null | grep -q 'name="rsgeo-api"'; then
  passed=$((passed + 1)); echo "ok    rsgeo serve serves the built page at /"
else
  failed=$((failed + 1)); echo "FAIL  rsgeo serve does not serve plugins/web/dist at / (the browser test runs through a local proxy instead)"
  PPORT=$(free_port)
  node "$WEB/scripts/serve-dist.mjs" "$PPORT" "$URL" >"$TMP/proxy.log" 2>&1 &
  PROXY_PID=$!
  PAGE_URL="http://127.0.0.1:$PPORT"
  for _ in $(seq 1 50); do curl -fs "$PAGE_URL/" >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "==> browser test (Chromium, headless)"
RSGEO_URL=$PAGE_URL RSGEO_ARTIFACTS="$ARTIFACTS" RSGEO_QUERY="${RSGEO_WEB_QUERY:-farmland}" \
  node "$WEB/test/e2e.mjs" 2>&1 | tee "$TMP/e2e.log"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TMP/e2e.log" | tail -1)
if [ -n "$line" ]; then
  passed=$((passed + $(echo "$line" | awk '{print $1}'))); failed=$((failed + $(echo "$line" | awk '{print $3}')))
else
  failed=$((failed + 1))
fi
[ -f "$ARTIFACTS/search.png" ] && echo "screenshot: $ARTIFACTS/search.png"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
