#!/usr/bin/env bash
# Finds the sample imagery RsGeoSearch uses (nothing is downloaded or copied: the data stays where it is).
#   sample-data/locate.sh            table of every sample: present or missing, and what it shows
#   sample-data/locate.sh NAME       the absolute path of one sample (for scripts: rsgeo ingest "$(sample-data/locate.sh naip-north-dakota)")
# The data folder is $RSGEO_SHARED_DATA, else ../shared/data beside the repository (as the rsgeo command resolves it).
# Exit status: 0, or 2 when the data folder or the named sample is missing.
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=${RSGEO_SHARED_DATA:-$HERE/../../shared/data}
if [ ! -d "$DATA" ]; then
  echo "locate.sh: no data folder at $DATA; set RSGEO_SHARED_DATA to the folder holding rasters/, scenes/, captions/" >&2
  exit 2
fi
DATA=$(cd "$DATA" && pwd)
if [ $# -ge 1 ]; then
  path=$(awk -F'\t' -v n="$1" 'NR > 1 && $1 == n { print $2 }' "$HERE/samples.tsv")
  [ -n "$path" ] || { echo "locate.sh: no sample named '$1' (see sample-data/samples.tsv)" >&2; exit 2; }
  [ -e "$DATA/$path" ] || { echo "locate.sh: sample '$1' is missing: $DATA/$path" >&2; exit 2; }
  echo "$DATA/$path"
  exit 0
fi
echo "data folder: $DATA"
missing=0
while IFS=$'\t' read -r name path what dates licence used; do
  if [ -e "$DATA/$path" ]; then state=ok; else state=MISSING; missing=$((missing + 1)); fi
  printf '%-22s %-8s %s (%s; %s)\n' "$name" "$state" "$what" "$dates" "$licence"
done < <(tail -n +2 "$HERE/samples.tsv")
[ "$missing" -eq 0 ] || echo "$missing sample(s) missing"
