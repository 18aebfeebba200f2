#!/usr/bin/env bash
# Sets up everything the tests need (./setup.sh --tests) and runs the whole test suite.
# Ends with one line: "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

./setup.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

LOG_DIR="$ROOT/artifacts/test-logs"
mkdir -p "$LOG_DIR"
passed=0; failed=0; status=0

echo; echo "==> .NET tests"
dotnet test RsGeoSearch.sln -c Release --no-restore -nologo 2>&1 | tee "$LOG_DIR/dotnet-test.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 15, Skipped: 0, Total: 15 ..."
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$LOG_DIR/dotnet-test.log" |
    sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/')
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi   # a build or runner error with no test failure counted

# The catalogue's tests once more against a local Citus cluster (coordinator + 2 workers), same expectations:
# the store, change, pipeline and API tests.
CITUS_PROJECTS=(RsGeoSearch.Store.Tests RsGeoSearch.Changes.Tests RsGeoSearch.Pipeline.Tests RsGeoSearch.Api.Tests)
echo; echo "==> .NET tests against Citus (RSGEO_TEST_TARGET=citus): ${CITUS_PROJECTS[*]}"
: > "$LOG_DIR/dotnet-test-citus.log"
for project in "${CITUS_PROJECTS[@]}"; do
  # The cluster lifecycle tests and the Citus fault tests (they start their own single node or Citus cluster)
  # ran above already; they do not depend on the target.
  RSGEO_TEST_TARGET=citus dotnet test "tests/$project" -c Release --no-build -nologo \
    --filter 'FullyQualifiedName!~RsGeoSearch.Store.Tests.Cluster.&FullyQualifiedName!~RsGeoSearch.Api.Tests.CitusFaultTests' \
    2>&1 | tee -a "$LOG_DIR/dotnet-test-citus.log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
c_passed=0; c_failed=0
while read -r f p; do c_passed=$((c_passed + p)); c_failed=$((c_failed + f)); done < <(
  grep -E '(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+' "$LOG_DIR/dotnet-test-citus.log" |
    sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/')
[ "$c_passed" -gt 0 ] || c_failed=$((c_failed + 1))   # the Citus run must run tests, not none
passed=$((passed + c_passed)); failed=$((failed + c_failed))

for extra in "$ROOT"/tests/*.test.sh; do
  [ -f "$extra" ] || continue
  echo; echo "==> $(basename "$extra")"
  out="$LOG_DIR/$(basename "$extra" .sh).log"
  bash "$extra" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
  if [ -n "$line" ]; then
    passed=$((passed + $(echo "$line" | awk '{print $1}'))); failed=$((failed + $(echo "$line" | awk '{print $3}')))
  fi
  if [ "$rc" -ne 0 ]; then status=1; [ -n "$line" ] && [ "$(echo "$line" | awk '{print $3}')" != 0 ] || failed=$((failed + 1)); fi
done

# CI keeps only the tail of this output: name every failed .NET test here, next to the summary.
failed_names=$(grep -hE '^\s+Failed [A-Za-z_][A-Za-z0-9_.]* \[' "$LOG_DIR/dotnet-test.log" "$LOG_DIR/dotnet-test-citus.log" 2>/dev/null | sed -E 's/^\s+//' | sort -u)
if [ -n "$failed_names" ]; then echo; echo "==> failed .NET tests (details in artifacts/test-logs/)"; echo "$failed_names"; fi

echo
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
