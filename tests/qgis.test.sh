#!/usr/bin/env bash
# End-to-end test of the QGIS plugin: Debian's QGIS (headless) against a real `rsgeo serve`.
#
#   1. a private embedded database (RSGEO_DATA_DIR in a temp folder), ingest of shared rasters
#   2. `rsgeo serve` on a free loopback port
#   3. the plugin packaged by plugins/qgis/package.sh, unpacked into a temp plugin folder
#   4. tests/qgis/test_plugin.py under /usr/bin/python3 with QT_QPA_PLATFORM=offscreen
#
# Environment:
#   RSGEO_SHARED_DATA   shared data folder (default: ../shared/data beside the repository)
#   RSGEO_QGIS_RASTERS  rasters to ingest, space-separated, relative to the shared data folder or absolute
#                       (default: rasters/naip-north-dakota: one place on 10 dates)
#   RSGEO_QGIS_MODEL    --model for ingest and serve (default: the bundled rsgeo-mini when exported, else a
#                       tiny random-weight CLIP model made by tests/RsGeoSearch.Inference.Tests/python/make_tiny_clip.py)
#   RSGEO_QGIS_URL      test a server that already runs instead of starting one (skips 1 and 2)
# Needs: apt-get install -y --no-install-recommends python3-qgis qgis-providers
# Last line: "N passed, N failed"; exit status non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=/usr/bin/python3   # Debian's python, where python3-qgis lives (not a venv/pyenv python first on PATH)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/rsgeo-qgis.XXXXXX")
chmod 711 "$TMP"   # traversable (not listable): run as root, the embedded PostgreSQL runs as 'postgres' and must reach $TMP/db
SERVER_PID=""
STARTED_DB=0

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null
  fi
  if [ "$STARTED_DB" = 1 ]; then ./rsgeo db stop >>"$TMP/db.log" 2>&1; fi
  if [ "${RSGEO_QGIS_KEEP_TMP:-0}" != 1 ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT

fail() {
  echo "qgis.test: $*" >&2
  for log in "$TMP"/*.log; do
    [ -s "$log" ] || continue
    echo "--- last lines of $(basename "$log")" >&2
    tail -n 30 "$log" >&2
  done
  echo "0 passed, 1 failed"
  exit 1
}

if ! QT_QPA_PLATFORM=offscreen "$PY" -c "import qgis.core" >/dev/null 2>&1; then
  fail "QGIS's Python bindings are missing: apt-get install -y --no-install-recommends python3-qgis qgis-providers"
fi

if [ -n "${RSGEO_QGIS_URL:-}" ]; then
  URL=${RSGEO_QGIS_URL%/}
  echo "using the running server $URL"
else
  SHARED=${RSGEO_SHARED_DATA:-"$ROOT/../shared/data"}
  [ -d "$SHARED" ] || fail "shared data not found at $SHARED (set RSGEO_SHARED_DATA)"
  rasters=()
  for r in ${RSGEO_QGIS_RASTERS:-rasters/naip-north-dakota}; do
    case "$r" in /*) path=$r ;; *) path="$SHARED/$r" ;; esac
    [ -e "$path" ] || fail "raster $path not found"
    rasters+=("$path")
  done

  export RSGEO_DATA_DIR="$TMP/db"     # a private embedded database: never touches anyone else's
  unset RSGEO_DATABASE_URL

  echo "==> rsgeo db start ($RSGEO_DATA_DIR)"
  STARTED_DB=1
  t0=$SECONDS
  ./rsgeo db start >"$TMP/db.log" 2>&1 || fail "rsgeo db start failed"
  echo "    $((SECONDS - t0)) s"

  # The model: RSGEO_QGIS_MODEL, else the bundled default (rsgeo-mini) when it is exported, else a tiny
  # random-weight CLIP-shaped model exported by Debian's torch (the plugin test needs working plumbing,
  # not good rankings).
  model_args=()
  if [ -n "${RSGEO_QGIS_MODEL:-}" ]; then
    model_args=(--model "$RSGEO_QGIS_MODEL")
  elif [ ! -f "$ROOT/models/rsgeo-mini/manifest.json" ] || [ ! -f "$ROOT/models/rsgeo-mini/image.onnx" ]; then
    echo "==> models/rsgeo-mini is not exported: using a tiny random-weight CLIP model"
    mkdir -p "$TMP/model"
    image=$(find "$SHARED/scenes/aid/Airport" -name '*.jpg' | sort | head -1)
    "$PY" "$ROOT/tests/RsGeoSearch.Inference.Tests/python/make_tiny_clip.py" --out "$TMP/model" \
      --bpe "$SHARED/tokenizers/clip-bpe/bpe_simple_vocab_16e6.txt.gz" \
      --token-ids "$SHARED/tokenizers/clip-bpe/reference-token-ids.jsonl" "$image" >"$TMP/model.log" 2>&1 ||
      fail "could not export the tiny test model"
    model_args=(--model "$TMP/model")
  fi

  echo "==> rsgeo ingest ${model_args[*]} ${rasters[*]}"
  t0=$SECONDS
  ./rsgeo ingest "${model_args[@]}" "${rasters[@]}" >"$TMP/ingest.log" 2>&1 || fail "rsgeo ingest failed"
  tail -n 3 "$TMP/ingest.log" | sed 's/^/    /'
  echo "    $((SECONDS - t0)) s"

  PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  URL="http://127.0.0.1:$PORT"
  echo "==> rsgeo serve --port $PORT"
  ./rsgeo serve "${model_args[@]}" --port "$PORT" >"$TMP/serve.log" 2>&1 &
  SERVER_PID=$!
  ok=0
  for _ in $(seq 1 240); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then fail "rsgeo serve exited"; fi
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/health', timeout=2)" "$URL" 2>/dev/null; then ok=1; break; fi
    sleep 0.5
  done
  [ "$ok" = 1 ] || fail "rsgeo serve did not answer $URL/health within 120 s"
fi

echo "==> plugins/qgis/package.sh"
zip=$(plugins/qgis/package.sh "$TMP/package") || fail "packaging the plugin failed"
mkdir -p "$TMP/plugins"
"$PY" -m zipfile -e "$zip" "$TMP/plugins" || fail "could not unpack $zip"
[ -f "$TMP/plugins/rsgeosearch/metadata.txt" ] || fail "the zip does not hold rsgeosearch/metadata.txt"
echo "    $(basename "$zip")"

echo "==> headless QGIS: tests/qgis/test_plugin.py"
mkdir -p "$TMP/home" "$TMP/run"
chmod 700 "$TMP/run"
# A fresh QGIS profile (settings and auth database) in HOME; offscreen Qt; QGIS's own auth debug lines filtered.
HOME="$TMP/home" XDG_RUNTIME_DIR="$TMP/run" QT_QPA_PLATFORM=offscreen \
  RSGEO_URL="$URL" RSGEO_PLUGIN_DIR="$TMP/plugins" RSGEO_QGIS_ARTIFACTS="$ROOT/artifacts/qgis" PYTHONDONTWRITEBYTECODE=1 \
  RSGEO_SHARED_DATA="${RSGEO_SHARED_DATA:-$ROOT/../shared/data}" \
  "$PY" "$ROOT/tests/qgis/test_plugin.py" 2>&1 | grep -vE '^(salt|hash|cipheriv) hex: |XDG_RUNTIME_DIR' | tee "$TMP/test.out"
rc=${PIPESTATUS[0]}
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$TMP/test.out" | tail -1)
[ -n "$summary" ] || fail "the QGIS test crashed before its summary (exit status $rc)"
if [ "$rc" -ne 0 ] && [ -n "$SERVER_PID" ]; then
  echo "--- last lines of serve.log"; tail -n 20 "$TMP/serve.log"
fi
cleanup
trap - EXIT
echo "$summary"
[ "$rc" -eq 0 ]
