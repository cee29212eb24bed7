# Shared by the benchmark scripts under bench/: a throwaway schema on the private database, and stopping the
# processes a script started. Sourced after scripts/lib/common.sh, not executed.

# Starts the private database, exports its environment and the personal-data keys, points CW_DB_NAME at the schema
# `$1`, and defines sql (a statement on that schema) and root_sql (a statement as root, no schema).
bench_use_schema() {
  bench_schema=$1
  "$REPO_ROOT/scripts/db" start >/dev/null
  export_db_env
  export_pii_keys
  export CW_DB_NAME=$bench_schema
  sql() { "$REPO_ROOT/scripts/db" client "$bench_schema" --batch --skip-column-names -e "$1"; }
  root_sql() { "$REPO_ROOT/scripts/db" client --batch --skip-column-names -e "$1"; }
}

# SIGTERM to one process this script started, up to 30 s for it to finish, then SIGKILL.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
