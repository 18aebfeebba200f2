#!/usr/bin/env bash
# Sharding with Debian's PostgreSQL alone: two "shard" clusters on loopback hold the embeddings of one acquisition
# year each (HNSW index per shard); a coordinator declares a table partitioned by year whose partitions are
# postgres_fdw foreign tables (server option extensions 'vector' so the <=> ORDER BY ships to the shards).
# Prints the coordinator's plan and the latency of a top-10 query through the coordinator vs one shard directly.
#   bench/scaling/fdw-shards.sh [ROWS_PER_SHARD=50000] [DIM=256]
set -euo pipefail
ROWS=${1:-50000}; DIM=${2:-256}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
ROOT=$(mktemp -d /tmp/rsgeo-fdw-XXXX); chmod 755 "$ROOT"
RUN() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$ROOT"
ports=(); i=0
for name in shard2019 shard2020 coord; do
  port=$((56000 + RANDOM % 5000)); ports+=($port)
  RUN "$BIN/initdb -D $ROOT/$name -U rsgeo --auth=trust --no-sync -E UTF8 --no-locale >/dev/null"
  RUN "$BIN/pg_ctl -D $ROOT/$name -o '-p $port -k $ROOT -c listen_addresses=127.0.0.1 -c shared_buffers=128MB -c jit=off' -l $ROOT/$name.log -w start >/dev/null"
done
trap 'for n in shard2019 shard2020 coord; do RUN "$BIN/pg_ctl -D $ROOT/$n -m fast stop" >/dev/null 2>&1 || true; done; rm -rf "$ROOT"' EXIT
P() { local port=$1; shift; "$BIN/psql" -h "$ROOT" -p "$port" -U rsgeo -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
year=2019
for k in 0 1; do
  port=${ports[$k]}
  P $port -c "CREATE EXTENSION vector; CREATE EXTENSION postgis;
    CREATE TABLE emb (chip_id bigint PRIMARY KEY, acquired_at timestamptz NOT NULL, footprint geometry(Polygon,4326), embedding vector($DIM) NOT NULL);
    INSERT INTO emb SELECT g + $k * 10000000, timestamptz '$year-01-01' + (g % 365) * interval '1 day',
      ST_MakeEnvelope(x, y, x + 0.01, y + 0.01, 4326),
      (SELECT array_agg(random() - 0.5)::vector($DIM) FROM generate_series(1, $DIM) WHERE g > 0)
    FROM generate_series(1, $ROWS) g, LATERAL (SELECT -10 + random() * 40 AS x, 36 + random() * 24 AS y) p;"
  t0=$(date +%s.%N)
  P $port -c "SET maintenance_work_mem = '512MB'; CREATE INDEX ON emb USING hnsw (embedding vector_cosine_ops); ANALYZE emb;"
  echo "shard $year: $ROWS rows x $DIM-d, HNSW built in $(echo "$(date +%s.%N) - $t0" | bc) s, $(P $port -c "SELECT pg_size_pretty(pg_total_relation_size('emb'))")"
  year=$((year + 1))
done
c=${ports[2]}
P $c -c "CREATE EXTENSION vector; CREATE EXTENSION postgis; CREATE EXTENSION postgres_fdw;
  CREATE TABLE emb (chip_id bigint, acquired_at timestamptz NOT NULL, footprint geometry(Polygon,4326), embedding vector($DIM)) PARTITION BY RANGE (acquired_at);"
year=2019
for k in 0 1; do
  P $c -c "CREATE SERVER s$year FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${ports[$k]}', dbname 'postgres', extensions 'vector,postgis', fetch_size '50');
    CREATE USER MAPPING FOR rsgeo SERVER s$year OPTIONS (user 'rsgeo');
    CREATE FOREIGN TABLE emb_$year PARTITION OF emb FOR VALUES FROM ('$year-01-01') TO ('$((year + 1))-01-01') SERVER s$year OPTIONS (table_name 'emb', use_remote_estimate 'true');"
  year=$((year + 1))
done
Q="(SELECT array_agg(random() - 0.5)::vector($DIM) FROM generate_series(1, $DIM))"
P $c -c "CREATE TABLE q AS SELECT $Q AS v;"
V="'$(P $c -c "SELECT v::text FROM q")'::vector($DIM)" # a literal, as a bound query parameter becomes: an InitPlan param does not ship
echo "--- coordinator plan: top-10 over both years"
P $c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT chip_id FROM emb ORDER BY embedding <=> $V LIMIT 10;" | grep -E "Limit|Append|Foreign Scan|Remote SQL|Sort" | sed 's/^/  /'
echo "--- coordinator plan: top-10 of one foreign partition queried directly"
P $c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT chip_id FROM emb_2019 ORDER BY embedding <=> $V LIMIT 10;" | grep -E "Limit|Foreign Scan|Remote SQL" | sed 's/^/  /' | cut -c1-200
echo "--- coordinator plan: top-10 over both years, UNION ALL of per-shard top-10s (what a coordinator should send)"
P $c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT chip_id FROM ((SELECT chip_id, embedding <=> $V AS d FROM emb_2019 ORDER BY 2 LIMIT 10) UNION ALL (SELECT chip_id, embedding <=> $V FROM emb_2020 ORDER BY 2 LIMIT 10)) u ORDER BY d LIMIT 10;" | grep -E "Limit|Append|Foreign Scan|Remote SQL" | sed 's/^/  /' | cut -c1-200
echo "--- coordinator plan: top-10 in 2020 within a bbox (partition pruning + filter pushdown)"
P $c -c "EXPLAIN (VERBOSE, COSTS OFF) SELECT chip_id FROM emb WHERE acquired_at >= '2020-03-01' AND footprint && ST_MakeEnvelope(0, 40, 10, 50, 4326) ORDER BY embedding <=> $V LIMIT 10;" | grep -E "Limit|Append|Foreign Scan|Remote SQL" | sed 's/^/  /'
timeit() { local port=$1 sql=$2; local best=999999; for r in 1 2 3 4 5 6 7 8 9 10; do
  t=$(P $port -c "\\timing on" -c "$sql" | grep -oE 'Time: [0-9.]+' | awk '{print $2}' | tail -1); best=$(echo "if ($t < $best) $t else $best" | bc); done; echo "$best"; }
echo "--- latency (best of 10, ms): one shard directly: $(timeit ${ports[0]} "SELECT chip_id FROM emb ORDER BY embedding <=> $V LIMIT 10")"
echo "--- latency (best of 10, ms): coordinator over 2 shards: $(timeit $c "SELECT chip_id FROM emb ORDER BY embedding <=> $V LIMIT 10")"
echo "--- latency (best of 10, ms): coordinator, UNION ALL of per-shard top-10s: $(timeit $c "SELECT chip_id FROM ((SELECT chip_id, embedding <=> $V AS d FROM emb_2019 ORDER BY 2 LIMIT 10) UNION ALL (SELECT chip_id, embedding <=> $V FROM emb_2020 ORDER BY 2 LIMIT 10)) u ORDER BY d LIMIT 10")"
echo "--- latency (best of 10, ms): coordinator, 2020 + bbox (one shard): $(timeit $c "SELECT chip_id FROM emb WHERE acquired_at >= '2020-03-01' AND footprint && ST_MakeEnvelope(0, 40, 10, 50, 4326) ORDER BY embedding <=> $V LIMIT 10")"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
