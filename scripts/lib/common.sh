# Shared by scripts/run, scripts/test and scripts/bench: dependencies, builds, database environment.
# Sourced, not executed.

REPO_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
BUILD_DIR=${CW_BUILD_DIR:-$REPO_ROOT/build}
CW_BIN=$BUILD_DIR/modules/server/carewatch

# Debian 12 packages carewatch builds, runs and tests with.
CW_DEBIAN_PACKAGES=(
  g++ make cmake pkg-config git curl openssl
  libpoco-dev libmysqlcppconn-dev libssl-dev libboost-graph-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libxlsxwriter-dev libexif-dev libhpdf-dev
  mariadb-server mariadb-client
  chromium fonts-wqy-microhei wrk
  clang libclang-rt-14-dev
  python3 sqlmap
)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install the packages listed in scripts/lib/common.sh, or use sudo)"
  fi
}

# Installs whichever Debian packages are missing (one apt-get update, only when something is missing).
ensure_packages() {
  local missing=() p
  for p in "${CW_DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js: any Node >= 18 on PATH is fine (Debian 12 ships 18); otherwise install Debian's.
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 18 ] || die "Node.js >= 18 is required, found $(node --version)"
}

build_cpp() {
  log "building C++ (build type ${CW_BUILD_TYPE:-RelWithDebInfo}, -j${CW_JOBS:-2})"
  cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CW_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
  cmake --build "$BUILD_DIR" -j"${CW_JOBS:-2}"
}

# npm ci only when package-lock.json changed since the last install; vite build only when sources changed.
npm_install_if_needed() {
  local dir=$1 stamp=$1/node_modules/.cw-lock-sha
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    log "npm ci in ${dir#$REPO_ROOT/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
}

build_web() {
  npm_install_if_needed "$REPO_ROOT/web"
  local index=$REPO_ROOT/web/dist/index.html
  if [ ! -f "$index" ] || [ -n "$(find "$REPO_ROOT/web/src" "$REPO_ROOT/web/index.html" "$REPO_ROOT/web/vite.config.js" \
       "$REPO_ROOT/web/package.json" "$REPO_ROOT/web/public" -newer "$index" -print -quit)" ]; then
    log "building web console"
    (cd "$REPO_ROOT/web" && npm run build --silent)
  fi
}

# The private database's connection, for carewatch (CW_*) and for the test suites (CW_TEST_DB_*).
export_db_env() {
  export CW_DB_HOST=127.0.0.1
  export CW_DB_PORT=${CW_DB_PORT:-3407}
  export CW_DB_USER=${CW_DB_USER:-carewatch}
  export CW_DB_PASSWORD=${CW_DB_PASSWORD:-carewatch-dev}
  export CW_DB_NAME=${CW_DB_NAME:-carewatch}
  export CW_TEST_DB_HOST=$CW_DB_HOST CW_TEST_DB_PORT=$CW_DB_PORT CW_TEST_DB_USER=$CW_DB_USER
  export CW_TEST_DB_PASSWORD=$CW_DB_PASSWORD
}

# Personal-data keys for the development database (AES-256-GCM and the HMAC blind index): generated once into
# var/secrets/pii.env (git-ignored, mode 600) and exported. Production supplies its own CW_PII_* values.
export_pii_keys() {
  local file=$REPO_ROOT/var/secrets/pii.env
  if [ ! -f "$file" ]; then
    mkdir -p "$(dirname "$file")"
    (umask 077
     printf 'CW_PII_ENCRYPTION_KEY=%s\nCW_PII_INDEX_KEY=%s\n' \
       "$(head -c 32 /dev/urandom | base64)" "$(head -c 32 /dev/urandom | base64)" >"$file")
  fi
  set -a
  # shellcheck disable=SC1090
  source "$file"
  set +a
}
