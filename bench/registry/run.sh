#!/usr/bin/env bash
# Registry benchmarks at scale, run by `scripts/bench registry` (see bench/README.md, "Registry at scale"):
#   1. a throwaway schema cw_test_bench_registry with N synthetic institutions (seed-demo --institutions N; kept
#      and reused when CW_BENCH_KEEP=1 and it already holds N),
#   2. directory search latency per query type through the HTTP API (wrk + search.lua, an officer's token),
#   3. EXPLAIN / ANALYZE of the exact SQL the repository sent for each query type (captured from the server's
#      general log for the few seconds it takes) -> bench/registry/explain.txt,
#   4. XLSX export of the district nearest 100,000 rows: time, size, server RSS,
#   5. import of a 100,000-row XLSX (POST /api/v1/institutions/import until the job is done): rows/s.
# Environment: CW_BENCH_INSTITUTIONS (1000000), CW_BENCH_SECONDS (10 per query type), CW_BENCH_CONNECTIONS (2),
# CW_BENCH_THREADS (1), CW_BENCH_IMPORT_ROWS (100000), CW_BENCH_KEEP=1 keeps the schema.
# CW_BENCH_BUFFER_POOL_MB: resize the (shared, private) MariaDB's InnoDB buffer pool for the run and put it back
# afterwards, to tell plan problems from I/O (scripts/db configures 256 MiB, with O_DIRECT: no OS page cache).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
cd "$REPO_ROOT"
N=${CW_BENCH_INSTITUTIONS:-1000000}
seconds=${CW_BENCH_SECONDS:-10}
connections=${CW_BENCH_CONNECTIONS:-2}
threads=${CW_BENCH_THREADS:-1}
import_rows=${CW_BENCH_IMPORT_ROWS:-100000}
schema=cw_test_bench_registry
here=$REPO_ROOT/bench/registry
logs=$BUILD_DIR/bench-logs/registry
results=$logs/results.md
mkdir -p "$logs"
: >"$results"

ensure_packages
log "building carewatch and the import spreadsheet tool (-j${CW_JOBS:-2})"
cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE="${CW_BUILD_TYPE:-RelWithDebInfo}" -DCW_BUILD_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j"${CW_JOBS:-2}" --target carewatch cw_registry_import_xlsx >/dev/null
bench_use_schema "$schema"

cw_pid=
sampler_pid=
buffer_pool_restore=
cleanup() {
  [ -n "$sampler_pid" ] && { kill "$sampler_pid" 2>/dev/null || true; wait "$sampler_pid" 2>/dev/null || true; }
  [ -n "$cw_pid" ] && { kill "$cw_pid" 2>/dev/null || true; wait "$cw_pid" 2>/dev/null || true; }
  [ -n "$buffer_pool_restore" ] && root_sql "SET GLOBAL innodb_buffer_pool_size = $buffer_pool_restore" || true
  if [ "${CW_BENCH_KEEP:-0}" = 1 ]; then
    echo "kept schema $schema (CW_BENCH_KEEP=1)"
  else
    root_sql "DROP DATABASE IF EXISTS $schema" || true
  fi
}
trap cleanup EXIT

note() { printf '%s\n' "$*" | tee -a "$results"; }

# ---------------------------------------------------------------- data
if [ -n "${CW_BENCH_BUFFER_POOL_MB:-}" ]; then
  buffer_pool_restore=$(root_sql 'SELECT @@innodb_buffer_pool_size')
  log "InnoDB buffer pool ${CW_BENCH_BUFFER_POOL_MB} MiB for this run (back to $((buffer_pool_restore / 1048576)) MiB after)"
  root_sql "SET GLOBAL innodb_buffer_pool_size = $((CW_BENCH_BUFFER_POOL_MB * 1048576))"
  for _ in $(seq 120); do  # resizing runs in the background
    [ "$(root_sql 'SELECT @@innodb_buffer_pool_size')" -eq $((CW_BENCH_BUFFER_POOL_MB * 1048576)) ] && break
    sleep 1
  done
fi
root_sql "CREATE DATABASE IF NOT EXISTS $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
if ! "$CW_BIN" migrate >"$logs/migrate.log" 2>&1; then
  # A kept schema from before a migration was edited (development): start again.
  log "the kept schema does not migrate ($(tail -n1 "$logs/migrate.log")); recreating it"
  root_sql "DROP DATABASE $schema; CREATE DATABASE $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  "$CW_BIN" migrate >/dev/null
fi
existing=$(sql "SELECT COUNT(*) FROM institutions WHERE SUBSTRING(credit_code, 9, 2) = 'MW'")
seed_note="reused ($existing generated rows present)"
if [ "$existing" -lt "$N" ]; then
  log "seed-demo --institutions $N ($existing present)"
  "$CW_BIN" seed-demo --institutions "$N" | tee "$logs/seed.log" | sed -n '/institutions written\|Synthetic/p'
  seed_note=$(sed -n 's/^Synthetic institutions: //p' "$logs/seed.log")
fi
if [ "$(sql "SELECT COUNT(*) FROM institutions WHERE SUBSTRING(credit_code, 9, 2) = 'MU'")" -gt 0 ]; then
  log "removing the rows of an earlier import benchmark"
  "$REPO_ROOT/scripts/db" client "$schema" <"$here/cleanup_import.sql"
fi
sql "ANALYZE TABLE institutions, licences, institution_relations, institution_versions" >/dev/null
total=$(sql "SELECT COUNT(*) FROM institutions")
sizes=$(sql "SELECT CONCAT(table_name, ' ', ROUND((data_length + index_length) / 1048576), ' MiB')
             FROM information_schema.tables WHERE table_schema = '$schema'
             AND table_name IN ('institutions', 'institution_versions', 'licences', 'institution_relations')
             ORDER BY table_name" | paste -sd, | sed 's/,/, /g')

note "## Registry at scale, $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
note ""
note "N = $N generated institutions ($total rows in institutions); seed: $seed_note"
note "Table sizes (data + indexes): $sizes; InnoDB buffer pool $(( $(root_sql 'SELECT @@innodb_buffer_pool_size') / 1048576 )) MiB"
note ""

# ---------------------------------------------------------------- server
"$CW_BIN" serve --port 0 >"$logs/carewatch.log" 2>&1 &
cw_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.*"msg":"listening","address":"http:\/\/127.0.0.1:\([0-9]*\)".*/\1/p' "$logs/carewatch.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || die "carewatch did not start: $(cat "$logs/carewatch.log")"
base=http://127.0.0.1:$port
token=$(curl -fs -X POST "$base/api/v1/auth/login" \
          -d '{"username":"mz.wangli","password":"Jiujiang#2026"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "could not sign in as mz.wangli"
auth=(-H "Authorization: Bearer $token")

# ---------------------------------------------------------------- search: query mixes
districts=(360402 360403 360404 360423 360424 360425 360426 360428 360429 360430 360481 360482 360483)
kinds=(elderly_institution community_elderly_facility rural_elderly_home childcare_institution
       community_childcare_point family_childcare_point kindergarten_nursery_class)
api=/api/v1/institutions
paths=$logs/paths
mkdir -p "$paths"
gen() {  # type: writes the request paths of one query type, the first is the one EXPLAINed
  case $1 in
    region_city)      echo "$api?region=360400" ;;
    region_district)  for d in "${districts[@]}"; do echo "$api?region=$d"; done ;;
    region_kind)      for k in "${kinds[@]}"; do for d in "${districts[@]}"; do echo "$api?region=$d&kind=$k"; done; done ;;
    kind_capacity)    for lo in 40 60 80 100 120; do for k in "${kinds[@]}"; do
                        echo "$api?kind=$k&capacity_min=$lo&capacity_max=$((lo + 10))"; done; done ;;
    credit_code)      sql "SELECT CONCAT('$api?credit_code=', credit_code) FROM institutions
                           WHERE id % 997 = 0 AND SUBSTRING(credit_code, 9, 2) = 'MW' LIMIT 500" ;;
    name_common)      echo "$api?q=%E9%A2%90%E5%85%BB" ;;                       # 颐养
    name_rare)        echo "$api?q=%E9%B9%A4%E9%B8%A3" ;;                       # 鹤鸣, ~1 name in 10,000
    name_absent)      echo "$api?q=%E9%BA%92%E9%BA%9F%E9%98%81" ;;              # 麒麟阁, in no name
    name_single)      echo "$api?q=%E9%B9%A4" ;;                                 # 鹤: one character, no bigram
    district_name)    for d in "${districts[@]}"; do echo "$api?region=$d&q=%E5%BA%B7"; done ;;  # 康 in a district
    city_by_capacity) echo "$api?region=360400&sort=capacity&order=desc" ;;
    city_deep_page)   echo "$api?region=360400&page=500" ;;                     # offset 9,980 (the last page served)
    district_deep_by_capacity) for d in "${districts[@]}"; do echo "$api?region=$d&sort=capacity&page=500"; done ;;
  esac
}
types=(region_city region_district region_kind kind_capacity credit_code name_common name_rare name_absent
       name_single district_name city_by_capacity city_deep_page district_deep_by_capacity)
declare -A describe=(
  [region_city]="region=360400 (whole city), by name, page 1"
  [region_district]="region=<one of 13 districts>, page 1"
  [region_kind]="region=<district>&kind=<kind>, page 1"
  [kind_capacity]="kind=<kind>&capacity_min=X&capacity_max=X+10"
  [credit_code]="credit_code=<existing code> (500 codes)"
  [name_common]="q=颐养 (name substring, common)"
  [name_rare]="q=鹤鸣 (name substring, rare)"
  [name_absent]="q=麒麟阁 (name substring, no match)"
  [name_single]="q=鹤 (one character: no bigram, scans the name index)"
  [district_name]="region=<district>&q=康"
  [city_by_capacity]="region=360400&sort=capacity&order=desc, page 1"
  [city_deep_page]="region=360400, by name, page 500 (offset 9,980, the deepest served)"
  [district_deep_by_capacity]="region=<district>&sort=capacity, page 500 (offset 9,980)"
)
for t in "${types[@]}"; do gen "$t" >"$paths/$t.txt"; done

# A request wrk gave up on (or a timed-out one) keeps running in the database and would slow the next query type:
# wait for our schema's statements to finish, and after two minutes end them (they are this run's own).
stragglers=0
wait_idle() {
  local busy i
  for i in $(seq 120); do
    busy=$(root_sql "SELECT COUNT(*) FROM information_schema.processlist WHERE db = '$schema' AND command <> 'Sleep'")
    [ "$busy" -eq 0 ] && return 0
    sleep 1
  done
  for i in $(root_sql "SELECT id FROM information_schema.processlist WHERE db = '$schema' AND command <> 'Sleep'"); do
    root_sql "KILL QUERY $i" || true
    stragglers=$((stragglers + 1))
  done
}

note "### Directory search (GET $api), officer token"
note ""
note "\"alone\": the first request of the type, by itself (curl). Then wrk -t$threads -c$connections -d${seconds}s \
--timeout 60s cycling through the type's variants: n completed requests, requests/s, p50, p99. The server gives up \
on a statement after db.statement_timeout_seconds (25 s) and answers 503. Totals are counted up to 10,000 \
(shown 10000+ beyond)."
note ""
note "| query type | matches | alone | n | requests/s | p50 | p99 | errors |"
note "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
for t in "${types[@]}"; do
  first=$(head -n1 "$paths/$t.txt")
  read -r code alone < <(curl -s -o "$logs/first.json" -w '%{http_code} %{time_total}\n' "${auth[@]}" "$base$first")
  matches=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$logs/first.json")
  grep -q '"total_capped":true' "$logs/first.json" && matches="$matches+"
  [ "$code" = 200 ] || matches="HTTP $code"
  wait_idle
  out=$(CW_WRK_PATHS=$paths/$t.txt CW_WRK_TOKEN=$token \
        wrk -t"$threads" -c"$connections" -d"${seconds}s" --timeout 60s --latency -s "$here/search.lua" "$base")
  echo "$out" >"$logs/wrk-$t.txt"
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<<"$out" | sed 's/ *$//')
  [ "${n:-0}" -gt 0 ] || { p50=-; p99=-; }
  note "| ${describe[$t]} | ${matches:-?} | $(awk -v s="$alone" 'BEGIN {printf "%.3f s", s}') | ${n:-0} | $rps | $p50 | $p99 | ${errors:-none} |"
  wait_idle
done
[ "$stragglers" -eq 0 ] || note "($stragglers statements still running two minutes after their wrk run were ended with KILL QUERY.)"
note ""

# ---------------------------------------------------------------- EXPLAIN of the SQL actually sent
# `carewatch explain-search` runs the first request of each type through the same code as the API and prints every
# SELECT it sent, with the values bound, followed by the server's ANALYZE of it (which runs it again).
explain=$here/explain.txt
{
  echo "# ANALYZE of the directory search SQL, as RegistryService::search sent it"
  echo "# $(date -u +%Y-%m-%d), MariaDB $(root_sql 'SELECT VERSION()'), $total rows in institutions (N = $N)."
  echo "# Generated by scripts/bench registry (bench/registry/run.sh) with 'carewatch explain-search QUERY';"
  echo "# r_rows = rows the statement actually read. The search sends: a capped count per bigram of q= (to pick"
  echo "# the rarest), the region's sub-regions, the capped total, the page's ids, then those rows by id."
  for t in "${types[@]}"; do
    echo
    echo "================================================================================================"
    echo "## $t: ${describe[$t]}"
    "$CW_BIN" explain-search "$(head -n1 "$paths/$t.txt" | sed 's/^[^?]*?//')" 2>&1 || echo "(explain-search failed)"
    wait_idle
  done
} >"$explain"
log "EXPLAIN/ANALYZE written to ${explain#$REPO_ROOT/}"

# ---------------------------------------------------------------- XLSX export
rss() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }  # kB
read -r export_region export_rows < <(sql "SELECT region_code, COUNT(*) FROM institutions GROUP BY region_code
                                            ORDER BY ABS(COUNT(*) - 100000) LIMIT 1")
echo 5 >"/proc/$cw_pid/clear_refs" 2>/dev/null || true  # resets VmHWM to the current RSS (Linux >= 4.0)
rss_before=$(rss "$cw_pid" VmRSS)
hwm_before=$(rss "$cw_pid" VmHWM)
( while kill -0 "$cw_pid" 2>/dev/null; do rss "$cw_pid" VmRSS; sleep 0.1; done ) >"$logs/export-rss.txt" &
sampler_pid=$!
export_file=$logs/export.xlsx
read -r code secs size < <(curl -s -o "$export_file" -w '%{http_code} %{time_total} %{size_download}\n' \
                             "${auth[@]}" "$base$api/export.xlsx?region=$export_region")
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=
hwm_after=$(rss "$cw_pid" VmHWM)
rss_peak=$(sort -n "$logs/export-rss.txt" | tail -n1)
rm -f "$export_file"
note "### XLSX export: GET $api/export.xlsx?region=$export_region ($export_rows rows)"
note ""
note "HTTP $code in ${secs} s ($(awk -v r="$export_rows" -v s="$secs" 'BEGIN {printf "%.0f", r / s}') rows/s), \
$(awk -v b="$size" 'BEGIN {printf "%.1f", b / 1048576}') MiB. Server RSS $((rss_before / 1024)) MiB before, \
peak $((${rss_peak:-0} / 1024)) MiB sampled every 0.1 s; VmHWM $((hwm_before / 1024)) -> $((hwm_after / 1024)) MiB."
note ""

# ---------------------------------------------------------------- import
xlsx=$logs/import.xlsx
"$BUILD_DIR/bench/cw_registry_import_xlsx" "$xlsx" "$import_rows" elderly MU >/dev/null
xlsx_mib=$(awk -v b="$(stat -c %s "$xlsx")" 'BEGIN {printf "%.1f", b / 1048576}')
echo 5 >"/proc/$cw_pid/clear_refs" 2>/dev/null || true
rss_before=$(rss "$cw_pid" VmRSS)
start=$(date +%s.%N)
job=$(curl -fs "${auth[@]}" -X POST --data-binary @"$xlsx" \
        -H 'Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' \
        "$base$api/import" | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
[ -n "$job" ] || die "the import was not accepted"
posted=$(date +%s.%N)
state=queued
status=
while [ "$state" = queued ] || [ "$state" = running ]; do
  sleep 1
  status=$(curl -fs "${auth[@]}" "$base/api/v1/jobs/$job")
  state=$(sed -n 's/.*"state":"\([^"]*\)".*/\1/p' <<<"$status")
done
end=$(date +%s.%N)
rm -f "$xlsx"
imported=$(sed -n 's/.*"imported":\([0-9]*\).*/\1/p' <<<"$status")
elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN {printf "%.1f", e - s}')
note "### Import: POST $api/import, $import_rows-row XLSX ($xlsx_mib MiB), elderly care, officer mz.wangli"
note ""
note "Job $state: ${imported:-0} rows imported in ${elapsed} s from the upload to the job's end (upload \
$(awk -v s="$start" -v e="$posted" 'BEGIN {printf "%.1f", e - s}') s, polled every second), \
$(awk -v r="${imported:-0}" -v s="$elapsed" 'BEGIN {printf "%.0f", r / s}') rows/s. Server RSS \
$((rss_before / 1024)) MiB before, VmHWM $(( $(rss "$cw_pid" VmHWM) / 1024 )) MiB after."
[ "$state" = done ] || note "Job status: $status"
note ""
log "results: ${results#$REPO_ROOT/}"
