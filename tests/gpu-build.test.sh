#!/usr/bin/env bash
# The CUDA build of ONNX Runtime on a machine without a GPU (what a GPU user builds with ./setup.sh --gpu):
#   1. the solution's CLI restores and builds with -p:RsGeoGpu=true (Microsoft.ML.OnnxRuntime.Gpu.Linux) into a
#      separate folder, with the CUDA provider and without the CPU package's library
#   2. `rsgeo models list` there reports the CUDA provider
#   3. --provider cuda: one clear line naming the missing CUDA library and what to install, exit 2
#   4. --provider auto: runs on the CPU, says so once (not ORT's log), same answer as the CPU build
# Last line: "N passed, N failed"; exit status non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
OUT=$(mktemp -d "${TMPDIR:-/tmp}/rsgeo-gpu-build.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
passed=0; failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; [ -n "${2:-}" ] && sed 's/^/    /' <<<"$2"; failed=$((failed + 1)); }

echo "==> dotnet build -p:RsGeoGpu=true (the CUDA package, ~318 MB of natives, restored once)"
if log=$(dotnet build src/RsGeoSearch.Cli/RsGeoSearch.Cli.csproj -c Release -nologo -v quiet -clp:ErrorsOnly \
          -p:RsGeoGpu=true --artifacts-path "$OUT" 2>&1); then
  ok "the CUDA build restores and builds"
else
  not_ok "the CUDA build restores and builds" "$log"; echo; echo "$passed passed, $failed failed"; exit 1
fi
BIN=$(dirname "$(find "$OUT/bin/RsGeoSearch.Cli" -name rsgeo.dll | head -1)")
if [ -f "$BIN/libonnxruntime_providers_cuda.so" ] && [ -f "$BIN/libonnxruntime.so" ] && [ ! -d "$BIN/runtimes" ]; then
  ok "the output has the CUDA provider library, linux-x64 only"
else
  not_ok "the output has the CUDA provider library, linux-x64 only" "$(ls "$BIN" | grep -i onnx)"
fi

RSGEO=(dotnet "$BIN/rsgeo.dll")
export RSGEO_MODELS_PATH="$ROOT/models"
out=$("${RSGEO[@]}" models list 2>&1)
if grep -q "ONNX Runtime 1.31.0 .*providers: .*cuda" <<<"$out"; then ok "models list names the runtime and the cuda provider"
else not_ok "models list names the runtime and the cuda provider" "$(tail -2 <<<"$out")"; fi

IMG=$(ls "${RSGEO_SHARED_DATA:-$ROOT/../shared/data}"/scenes/aid/Airport/*.jpg | head -1)
err=$("${RSGEO[@]}" classify "$IMG" --labels airport,forest --provider cuda 2>&1 >/dev/null); rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -Eq "lib(cu|nvrtc|cudnn)[A-Za-z]*\.so(\.[0-9]+)* was not found" <<<"$err" \
   && grep -q "CUDA 13" <<<"$err" && grep -q "cuDNN 9" <<<"$err" && grep -q -- "--provider cpu" <<<"$err"; then
  ok "--provider cuda without CUDA: one line naming the missing library and what to install, exit 2"
else
  not_ok "--provider cuda without CUDA: one line naming the missing library and what to install, exit 2" "exit $rc: $err"
fi

gpu_json=$("${RSGEO[@]}" classify "$IMG" --labels airport,forest --provider auto 2>"$OUT/auto.err"); rc=$?
cpu_json=$(./rsgeo classify "$IMG" --labels airport,forest 2>/dev/null)
notes=$(grep -c "running on the CPU" "$OUT/auto.err")
if [ "$rc" = 0 ] && [ "$notes" = 1 ] && [ "$(wc -l <"$OUT/auto.err")" = 1 ] && [ "$gpu_json" = "$cpu_json" ]; then
  ok "--provider auto falls back to the CPU, says so once, answers like the CPU build"
else
  not_ok "--provider auto falls back to the CPU, says so once, answers like the CPU build" "exit $rc; stderr: $(cat "$OUT/auto.err"); $gpu_json vs $cpu_json"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
