#!/usr/bin/env bash
# sample-data/locate.sh finds every sample listed in sample-data/samples.tsv in the shared data folder, prints one
# sample's path, and refuses a missing folder or an unknown name with exit 2. Last line: "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
passed=0; failed=0
check() { if eval "$2"; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }
table=$("$ROOT/sample-data/locate.sh"); rc=$?
listed=$(($(wc -l <"$ROOT/sample-data/samples.tsv") - 1))
check "every listed sample is present ($listed)" '[ "$rc" = 0 ] && [ "$(grep -c " ok " <<<"$table")" = "$listed" ]'
path=$("$ROOT/sample-data/locate.sh" naip-north-dakota)
check "a sample's path is absolute and holds its rasters" '[ "${path:0:1}" = / ] && ls "$path"/*.tif >/dev/null 2>&1'
RSGEO_SHARED_DATA=/nonexistent-data "$ROOT/sample-data/locate.sh" >/dev/null 2>&1; rc=$?
check "a missing data folder exits 2" '[ "$rc" = 2 ]'
"$ROOT/sample-data/locate.sh" no-such-sample >/dev/null 2>&1; rc=$?
check "an unknown sample name exits 2" '[ "$rc" = 2 ]'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
