#!/usr/bin/env bash
# Draw benchmarks, run by `scripts/bench draws` (see bench/README.md, "Draws"):
#   1. the cw-draw-v1 engine alone on a synthetic in-memory directory (1,000,000 candidates, 10,000 inspectors in
#      4 departments, 5%): entity selection only, then with inspectors from 1 department x 2 per entity;
#   2. the whole draw against MariaDB on the registry benchmark's schema (cw_test_bench_registry, 1.1 million
#      institutions; made by `CW_BENCH_KEEP=1 scripts/bench registry` when missing): lock + draw, and the naive
#      ORDER BY RAND() LIMIT n on the same scope.
# Results go to build/bench-logs/draws/results.jsonl.
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
cd "$REPO_ROOT"
logs=$BUILD_DIR/bench-logs/draws
mkdir -p "$logs"
results=$logs/results.jsonl
: >"$results"
ensure_packages
log "building the draw benchmarks (-j${CW_JOBS:-2})"
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CW_BUILD_TYPE:-RelWithDebInfo}" -DCW_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j"${CW_JOBS:-2}" --target cw_draw_engine_bench cw_draw_full_bench >/dev/null

log "engine: entity selection only (1,000,000 candidates, 5%)"
"$BUILD_DIR/bench/cw_draw_engine_bench" 1000000 10000 4 2 500 0 | tee -a "$results"
log "engine: with inspectors (10,000 in 4 departments, 2 per entity from one department)"
"$BUILD_DIR/bench/cw_draw_engine_bench" 1000000 10000 4 2 500 1 | tee -a "$results"

"$REPO_ROOT/scripts/db" start >/dev/null
export_db_env
export_pii_keys
schema=cw_test_bench_registry
if ! "$REPO_ROOT/scripts/db" client -e "SELECT 1 FROM $schema.institutions LIMIT 1" >/dev/null 2>&1; then
  die "schema $schema is missing: run CW_BENCH_KEEP=1 scripts/bench registry first (it seeds 1,000,000 institutions)"
fi
log "whole draw on $schema (lock + draw, then ORDER BY RAND())"
CW_DB_NAME=$schema CW_STORAGE_DIR="$BUILD_DIR/bench-files" "$BUILD_DIR/bench/cw_draw_full_bench" 10000 500 1 2 | tee -a "$results"
log "results: $results (machine: $(nproc) cores)"
