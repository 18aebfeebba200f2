#!/usr/bin/env bash
# Measures what docs/SCALING.md quotes: for each CHIPS:DIM pair, fills a synthetic store with
# bench/RsGeoSearch.Bench.Store (load rate, HNSW build time, query latency, recall, QPS), then reads the
# on-disk size of chips + embeddings + their indexes per chip and the HNSW index alone, and deletes the cluster.
#   bench/scaling/measure.sh 10000:256 100000:256 10000:512 10000:1152
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build -c Release bench/RsGeoSearch.Bench.Store >/dev/null
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
for pair in "$@"; do
  chips=${pair%%:*}; dim=${pair##*:}
  dir=$(mktemp -d /tmp/rsgeo-scale-XXXX)
  echo "=== $chips chips x $dim-d ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
  dotnet bench/RsGeoSearch.Bench.Store/bin/Release/net10.0/RsGeoSearch.Bench.Store.dll \
    --chips "$chips" --dim "$dim" --queries "${QUERIES:-100}" --data-dir "$dir" --keep
  port=$(python3 -c "import json,sys;print(json.load(open('$dir/cluster.json'))['port'])")
  sock="$dir/run"; [ -S "$sock/.s.PGSQL.$port" ] || sock=$(ls -d /tmp/rsgeo-* 2>/dev/null | while read d; do [ -S "$d/.s.PGSQL.$port" ] && echo "$d"; done | head -1)
  "$BIN/psql" -h "$sock" -p "$port" -U rsgeo -d rsgeo -At -F ' ' -c "
    SELECT 'chips', count(*) FROM rsgeo.chips;
    SELECT 'chips_table_bytes', pg_table_size('rsgeo.chips');
    SELECT 'chips_index_bytes', pg_indexes_size('rsgeo.chips');
    SELECT 'embeddings_table_bytes', pg_table_size('rsgeo.embeddings');
    SELECT 'embeddings_btree_bytes', sum(pg_relation_size(indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid=i.indexrelid WHERE indrelid='rsgeo.embeddings'::regclass AND c.relname NOT LIKE 'embeddings_hnsw%';
    SELECT 'hnsw_bytes', coalesce(sum(pg_relation_size(c.oid)),0) FROM pg_class c WHERE c.relname LIKE 'embeddings_hnsw%';
    SELECT 'bytes_per_chip', round((pg_total_relation_size('rsgeo.chips') + pg_total_relation_size('rsgeo.embeddings'))::numeric / count(*)) FROM rsgeo.chips;
    SELECT 'hnsw_bytes_per_chip', round(coalesce((SELECT sum(pg_relation_size(c.oid)) FROM pg_class c WHERE c.relname LIKE 'embeddings_hnsw%'),0)::numeric / count(*)) FROM rsgeo.chips;
    SELECT 'database_bytes', pg_database_size('rsgeo');"
  "$BIN/pg_ctl" -D "$dir/data" stop -m fast >/dev/null 2>&1 || su postgres -c "$BIN/pg_ctl -D $dir/data stop -m fast" >/dev/null 2>&1 || true
  rm -rf "$dir"
done
