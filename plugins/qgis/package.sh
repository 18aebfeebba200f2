#!/usr/bin/env bash
# Packages the QGIS plugin as an installable zip (Plugins > Manage and Install Plugins > Install from ZIP).
# Usage: plugins/qgis/package.sh [OUTPUT_DIR]   (default: artifacts/ at the repository root)
# Prints the path of the zip: OUTPUT_DIR/rsgeosearch-<version>.zip, holding the folder rsgeosearch/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-"$ROOT/artifacts"}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
version=$(sed -n 's/^version=//p' "$HERE/rsgeosearch/metadata.txt" | head -1)
[ -n "$version" ] || { echo "package.sh: no version= in metadata.txt" >&2; exit 1; }
zip="$OUT/rsgeosearch-$version.zip"
rm -f "$zip"
# Python's zipfile: no dependency on the zip tool; deterministic order and timestamps.
python3 - "$HERE" "$zip" <<'PY'
import os, sys, zipfile
here, target = sys.argv[1], sys.argv[2]
src = os.path.join(here, "rsgeosearch")
keep = (".py", ".txt", ".svg", ".png", ".ui", ".qml", ".md", ".html")
files = []
for folder, dirs, names in os.walk(src):
    dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
    files += [os.path.join(folder, n) for n in sorted(names) if n.endswith(keep) and not n.startswith(".")]
for required in ("metadata.txt", "__init__.py"):
    if os.path.join(src, required) not in files:
        sys.exit("package.sh: rsgeosearch/{} is missing".format(required))
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for path in files:
        info = zipfile.ZipInfo(os.path.relpath(path, here), date_time=(2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            z.writestr(info, f.read())
PY
echo "$zip"
