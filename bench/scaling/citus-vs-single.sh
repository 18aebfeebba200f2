#!/usr/bin/env bash
# The same catalogue on a single node and on a local Citus cluster (coordinator + N workers), one after the other in
# one run: bench/RsGeoSearch.Bench.Store fills each with the same chips and runs the same queries (same seed), then this
# prints the two side by side (p50/p95/p99, recall@10 against each target's exact answer, exactly-k, plans, QPS with
# 4 clients, load and HNSW build time). On one machine every node shares the same cores: the comparison shows
# correctness and the cost of the fan-out, not a speed-up.
#   bench/scaling/citus-vs-single.sh [CHIPS]        (default 1000000; env: DATASET=real|synthetic, QUERIES=100, WORKERS=2)
# Needs Citus (./setup.sh --citus installs it, once). Writes artifacts/bench-store/citus-vs-single-CHIPS/.
set -euo pipefail
cd "$(dirname "$0")/../.."
chips=${1:-1000000}
dataset=${DATASET:-real}
queries=${QUERIES:-100}
workers=${WORKERS:-2}
out="artifacts/bench-store/citus-vs-single-$chips"
mkdir -p "$out"
./setup.sh --citus >/dev/null
dotnet build -c Release bench/RsGeoSearch.Bench.Store -nologo -v q >/dev/null
bench=(dotnet bench/RsGeoSearch.Bench.Store/bin/Release/net10.0/RsGeoSearch.Bench.Store.dll
  --chips "$chips" --dataset "$dataset" --queries "$queries")

echo "=== single node ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
"${bench[@]}" --json "$out/single.json" | tee "$out/single.log"
echo "=== Citus: coordinator + $workers workers ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
"${bench[@]}" --workers "$workers" --json "$out/citus.json" | tee "$out/citus.log"

python3 - "$out/single.json" "$out/citus.json" <<'EOF'
import json, sys
single, citus = (json.load(open(p)) for p in sys.argv[1:3])
print(f"\n{single['chips']:,} chips x {single['dim']}-d, the project's plan on both targets (recall against each target's exact answer)")
print(f"single node: {single['target']}\nCitus:       {citus['target']}")
for name, doc in (("single node", single), ("Citus", citus)):
    for l in doc["loads"]:
        print(f"{name:12} load {l['load_s']:.0f} s ({doc['chips'] / l['load_s']:.0f} chips/s), HNSW build + ANALYZE {l['index_build_s']:.0f} s ({l['dataset']})")
    print(f"{name:12} QPS with 4 clients: {doc['qps_4_clients']}; load average at the end {doc['load_average']}")
print(f"\n{'set':9} {'case':20} {'plan':17} | {'single p50':>10} {'p95':>7} {'p99':>7} {'recall':>6} {'k':>3} | {'Citus p50':>9} {'p95':>7} {'p99':>7} {'recall':>6} {'k':>3}")
# Both runs list the same cases in the same order (project, pgvector-default, exact per case); the project's "plan"
# names the plans it chose, which may differ between the targets.
for a, b in zip(single["cases"], citus["cases"]):
    if (a["dataset"], a["case"]) != (b["dataset"], b["case"]): b = None
    row = lambda c: f"{c['p50_ms']:10.2f} {c['p95_ms']:7.2f} {c['p99_ms']:7.2f} {c['recall_at_10']:6.3f} {'yes' if c['exact_k'] else 'NO':>3}"
    print(f"{a['dataset']:9} {a['case']:20} {a['plan']:17} | {row(a)} | {row(b) if b else '(missing)'}" + (f"  Citus: {b['plan']}" if b and b['plan'] != a['plan'] else ""))
EOF
