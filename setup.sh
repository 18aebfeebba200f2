#!/usr/bin/env bash
# One-command set-up for RsGeoSearch on a Debian machine (bookworm or later).
# Idempotent: every step checks whether its work is already done and skips it.
#   ./setup.sh            system packages, pgvector, web client, .NET build (ONNX Runtime's CPU package)
#   ./setup.sh --tests    the same plus what the test suite needs (PyTorch, sentencepiece, ..., Citus)
#   ./setup.sh --citus    the same plus Citus (distributed PostgreSQL) for `rsgeo db start --workers N`
#   ./setup.sh --gpu      build with ONNX Runtime's CUDA package instead (NVIDIA driver, CUDA 13, cuDNN 9 at run time)
#   ./setup.sh --cpu      back to the CPU package (the default; a plain re-run keeps the last choice)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NATIVE="$ROOT/native"
GPU_MARKER="$NATIVE/gpu-build"   # read by Directory.Build.props: RsGeoGpu=true
PGVECTOR_MIN=0.8
CITUS_VERSION=13.2.2
CITUS_SRC="$ROOT/../shared/vendor/citus"
WITH_TESTS=0
WITH_CITUS=0
ORT_BUILD=""
for arg in "$@"; do
  case "$arg" in
    --tests) WITH_TESTS=1; WITH_CITUS=1 ;;
    --citus) WITH_CITUS=1 ;;
    --gpu) ORT_BUILD=gpu ;;
    --cpu) ORT_BUILD=cpu ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg' (use --tests, --citus, --gpu, --cpu or --help)" >&2; exit 2 ;;
  esac
done

STEP="starting"
trap 'echo; echo "setup.sh: FAILED at step: $STEP (see the messages above)" >&2' ERR
step() { STEP="$1"; echo; echo "==> $1"; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

APT_PACKAGES=(postgresql-15 postgresql-15-postgis-3 postgresql-server-dev-15 libgdal32 gdal-bin
  build-essential dpkg-dev ca-certificates)
if [ "$WITH_TESTS" = 1 ]; then
  # torch/onnx/PIL export the test models; sentencepiece checks the tokenizer; QGIS and Chromium are real clients.
  APT_PACKAGES+=(python3-torch libopenblas0-pthread python3-numpy python3-onnx python3-pil sentencepiece
    python3-qgis qgis-providers chromium)
fi
if [ "$WITH_CITUS" = 1 ]; then
  # Citus's build dependencies (its configure links curl, lz4, zstd, krb5, ssl, selinux, xslt, pam, readline).
  APT_PACKAGES+=(libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libssl-dev libselinux1-dev libxslt1-dev
    libpam0g-dev libreadline-dev)
fi

step "Debian packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "already installed"
fi

step "pgvector >= $PGVECTOR_MIN from Debian's source package"
PG_LIB=$(/usr/lib/postgresql/15/bin/pg_config --pkglibdir)
PG_SHARE=$(/usr/lib/postgresql/15/bin/pg_config --sharedir)
have_vector() { ls "$PG_SHARE"/extension/vector--"$PGVECTOR_MIN"*.sql >/dev/null 2>&1 && [ -f "$PG_LIB/vector.so" ]; }
if have_vector; then
  echo "already installed: $(ls "$PG_SHARE"/extension/vector.control)"
else
  # The mirror is whatever this machine's apt already uses; no host name is written here.
  mirror=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$mirror" ] || mirror=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
      | grep -v security | sed -E 's/^deb (\[[^]]*\] )?//' | awk '{print $1}' | head -1 || true)
  [ -n "$mirror" ] || { echo "setup.sh: no Debian mirror found in /etc/apt (needed for pgvector's source)" >&2; false; }
  work=$(mktemp -d)
  mkdir -p "$work/lists/partial"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$work/sources.list"
  aptopt=(-o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o Dir::State::Lists="$work/lists" -o APT::Sandbox::User=root)
  apt-get "${aptopt[@]}" update -qq
  (cd "$work" && apt-get "${aptopt[@]}" source -q --download-only pgvector && dpkg-source -x --no-check pgvector_*.dsc src >/dev/null)
  make -s -C "$work/src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
  $SUDO make -s -C "$work/src" PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install >/dev/null
  rm -rf "$work"
  have_vector || { echo "setup.sh: pgvector built but vector--$PGVECTOR_MIN*.sql is not in $PG_SHARE/extension" >&2; false; }
  echo "installed: $(grep default_version "$PG_SHARE/extension/vector.control")"
fi

if [ "$WITH_CITUS" = 1 ]; then
  step "Citus $CITUS_VERSION (distributed PostgreSQL) from ../shared/vendor/citus"
  # Debian has no Citus package; on real machines install Citus's own packages instead (see README).
  have_citus() { [ -f "$PG_LIB/citus.so" ] && grep -aq "Citus $CITUS_VERSION" "$PG_LIB/citus.so" \
    && grep -q "default_version = '${CITUS_VERSION%.*}-" "$PG_SHARE/extension/citus.control" 2>/dev/null; }
  if have_citus; then
    echo "already installed: Citus $CITUS_VERSION in $PG_LIB/citus.so"
  else
    tarball="$CITUS_SRC/citus-$CITUS_VERSION.tar.gz"
    [ -f "$tarball" ] || { echo "setup.sh: $tarball is missing (Citus's release source; see ../shared/vendor/citus/README.md)" >&2; false; }
    work=$(mktemp -d)
    tar -xzf "$tarball" -C "$work"
    (cd "$work/citus-$CITUS_VERSION"
     for p in "$CITUS_SRC"/*.patch; do [ -f "$p" ] && patch -s -p1 < "$p"; done
     echo "configuring and building (about 4 minutes on 2 cores)"
     ./configure -q PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null
     make -s -j"$(nproc)" >/dev/null
     $SUDO make -s install >/dev/null)
    rm -rf "$work"
    have_citus || { echo "setup.sh: Citus built but $PG_LIB/citus.so is not version $CITUS_VERSION" >&2; false; }
    echo "installed: Citus $CITUS_VERSION ($PG_LIB/citus.so)"
  fi
fi

step "ONNX Runtime build (NuGet: Microsoft.ML.OnnxRuntime 1.31.1 for the CPU, .Gpu.Linux 1.31.0 for CUDA)"
mkdir -p "$NATIVE"
rm -f "$NATIVE/libonnxruntime.so.1" "$NATIVE"/libonnxruntime_providers_*.so "$NATIVE/onnxruntime.version"   # the old npm copy
was=cpu; [ -f "$GPU_MARKER" ] && was=gpu
now=${ORT_BUILD:-$was}
if [ "$now" = gpu ]; then touch "$GPU_MARKER"; else rm -f "$GPU_MARKER"; fi
if [ "$now" != "$was" ]; then
  echo "switching from the $was build to the $now build: cleaning the old outputs"
  dotnet clean "$ROOT/RsGeoSearch.sln" -c Release -nologo -v quiet >/dev/null || true
fi
if [ "$now" = gpu ]; then
  echo "CUDA build: the encoders run on the GPU with --provider cuda (or auto); needs the NVIDIA driver, CUDA 13 and cuDNN 9 (README: GPU)"
else
  echo "CPU build (./setup.sh --gpu for the CUDA build)"
fi

step "Web map client (plugins/web: npm ci, build)"
if [ -f "$ROOT/plugins/web/package.json" ]; then
  (cd "$ROOT/plugins/web"
   if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
     npm ci --no-audit --no-fund --loglevel=error
   fi
   npm run --silent build >/dev/null)
  echo "built plugins/web/dist"
else
  echo "plugins/web not present; skipped"
fi

step ".NET restore and build"
command -v dotnet >/dev/null || { echo "setup.sh: the .NET 10 SDK (dotnet) is not on PATH" >&2; false; }
dotnet build "$ROOT/RsGeoSearch.sln" -c Release -nologo -v quiet -clp:ErrorsOnly

echo
echo "setup.sh: done."
