#!/usr/bin/env bash
# Hazards benchmarks, run by `scripts/bench hazards` (see bench/README.md, "Hazards"):
#   0. data: the schema cw_test_bench_hazards (kept between runs): migrate, seed-demo, then 1,000,000 hazards
#      inserted by SQL (insert_hazards.sql, in chunks; skipped when they are there already);
#   1. one large evidence upload (a PDF-looking file of CW_BENCH_BIG_MIB MiB, 3 times with one byte changed) as
#      inst.kangle to a fresh self-check hazard: throughput with curl, and the server's memory (VmRSS sampled every
#      50 ms, VmHWM), beside the same curl upload to a loopback sink (sink.py: python3) and the file's SHA-256 and
#      write + fsync on this disk;
#   2. concurrent small uploads: wrk with upload.lua, CW_BENCH_UPLOAD_CLIENTS connections each posting distinct
#      CW_BENCH_SMALL_KIB KiB PNG-like files for CW_BENCH_UPLOAD_SECONDS seconds, spread over fresh hazards;
#   3. GET /api/v1/hazards (page size 20) as officer mz.wangli over the million, unfiltered and with 4 filters:
#      the first request alone (curl), then wrk -t2 -c8 --latency for CW_BENCH_SECONDS seconds each.
# The summary goes to bench/hazards/last-run.txt, logs and wrk output to build/bench-logs/hazards/.
# Environment: CW_BENCH_HAZARDS (1000000), CW_BENCH_SECONDS (20), CW_BENCH_UPLOAD_SECONDS (20),
# CW_BENCH_UPLOAD_CLIENTS (8), CW_BENCH_BIG_MIB (256), CW_BENCH_SMALL_KIB (50), CW_BENCH_DROP=1 drops the schema
# afterwards (kept otherwise), CW_BENCH_KEEP_FILES=1 keeps the uploaded files (deleted otherwise).
# Needs a built carewatch (it does not build: run scripts/run or scripts/test once), curl and wrk; python3 only for
# the loopback baseline of step 1 (skipped without it).
set -euo pipefail
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
cd "$REPO_ROOT"

N=${CW_BENCH_HAZARDS:-1000000}
chunk=50000
list_seconds=${CW_BENCH_SECONDS:-20}
upload_seconds=${CW_BENCH_UPLOAD_SECONDS:-20}
upload_clients=${CW_BENCH_UPLOAD_CLIENTS:-8}
big_mib=${CW_BENCH_BIG_MIB:-256}
small_kib=${CW_BENCH_SMALL_KIB:-50}
big_runs=3
small_hazards=16  # x hazards.max_evidence_files (1000, the most the configuration accepts) files at most
schema=cw_test_bench_hazards
password='Jiujiang#2026'
here=$REPO_ROOT/bench/hazards
logs=$BUILD_DIR/bench-logs/hazards
summary=$here/last-run.txt
files=$logs/files  # the server's storage.dir for this run
work=$logs/work    # generated upload files

# ---------------------------------------------------------------- preconditions
[ -x "$CW_BIN" ] || die "$CW_BIN is missing: build carewatch first (scripts/run or scripts/test build it; or
       cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build --target carewatch)"
for tool in curl wrk sha256sum; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian package: $tool; see scripts/lib/common.sh)"
done
have_python=0
command -v python3 >/dev/null && have_python=1
newer=$(find "$REPO_ROOT/modules" "$REPO_ROOT/migrations" -newer "$CW_BIN" \( -name '*.cpp' -o -name '*.hpp' -o -name '*.sql' \) \
          -print -quit 2>/dev/null || true)
[ -z "$newer" ] || printf 'warning: %s is newer than %s: the benchmark runs the binary as built\n' \
                          "${newer#$REPO_ROOT/}" "${CW_BIN#$REPO_ROOT/}" >&2

mkdir -p "$logs"
rm -rf "$files" "$work"
mkdir -p "$files" "$work"
: >"$summary"
note() { printf '%s\n' "$*" | tee -a "$summary"; }

bench_use_schema "$schema"

cw_pid=
sink_pid=
sampler_pid=
cleanup() {
  local rc=$?
  [ -n "$sampler_pid" ] && stop_pid "$sampler_pid"
  [ -n "$sink_pid" ] && stop_pid "$sink_pid"
  [ -n "$cw_pid" ] && stop_pid "$cw_pid"
  rm -rf "$work"
  [ "${CW_BENCH_KEEP_FILES:-0}" = 1 ] || rm -rf "$files"
  if [ "${CW_BENCH_DROP:-0}" = 1 ]; then
    root_sql "DROP DATABASE IF EXISTS $schema" || true
  fi
  if [ "$rc" -ne 0 ]; then
    printf '\nINCOMPLETE: the run failed (exit %s); logs in %s\n' "$rc" "${logs#$REPO_ROOT/}" >>"$summary"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_started=$(date +%s)
note "# Hazards benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
note ""
note "Machine: $(nproc) cores ($(uname -m), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),\
 $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
note "Binary: ${CW_BIN#$REPO_ROOT/} ($(date -u -r "$CW_BIN" '+%Y-%m-%d %H:%M UTC')), commit $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')\
 $( [ -z "$(git -C "$REPO_ROOT" status --porcelain -- modules migrations 2>/dev/null)" ] || echo '(modules/migrations modified)')"
note ""

# ---------------------------------------------------------------- data
root_sql "CREATE DATABASE IF NOT EXISTS $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
if ! "$CW_BIN" migrate >"$logs/migrate.log" 2>&1; then
  # A kept schema from before a migration was edited (development): start again.
  log "the kept schema does not migrate ($(tail -n1 "$logs/migrate.log")); recreating it"
  root_sql "DROP DATABASE $schema; CREATE DATABASE $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  "$CW_BIN" migrate >"$logs/migrate.log" 2>&1 || die "migrate failed: $(tail -n3 "$logs/migrate.log")"
fi
"$CW_BIN" seed-demo >"$logs/seed.log" 2>&1 || die "seed-demo failed: $(tail -n3 "$logs/seed.log")"
last=$(sql "SELECT COALESCE(MAX(CAST(SUBSTRING(reference, 3) AS UNSIGNED)), 0) FROM hazards WHERE reference LIKE 'YB%'")
insert_note="kept from an earlier run"
if [ "$last" -lt "$N" ]; then
  log "inserting hazards $((last + 1)) .. $N by SQL ($chunk per statement)"
  started=$(date +%s)
  lo=$((last + 1))
  while [ "$lo" -le "$N" ]; do
    hi=$((lo + chunk - 1))
    [ "$hi" -gt "$N" ] && hi=$N
    sed -e "s/@LO@/$lo/g; s/@HI@/$hi/g; s/@TOTAL@/$N/g" "$here/insert_hazards.sql" |
      "$REPO_ROOT/scripts/db" client "$schema" >>"$logs/insert.log" 2>&1 ||
      die "inserting hazards $lo .. $hi failed: $(tail -n3 "$logs/insert.log")"
    printf '  %d / %d (%d s)\n' "$hi" "$N" $(($(date +%s) - started))
    lo=$((hi + 1))
  done
  secs=$(($(date +%s) - started))
  insert_note="inserted $((N - last)) rows in $secs s ($(((N - last) / (secs > 0 ? secs : 1))) rows/s)"
fi
sql "ANALYZE TABLE hazards" >/dev/null
read -r total mz_total open_total < <(sql "SELECT COUNT(*), SUM(department_code = 'MZ'),
    SUM(state IN ('reported', 'notified', 'rectifying', 'submitted')) FROM hazards")
hazard_size=$(sql "SELECT CONCAT(ROUND(data_length / 1048576), ' MiB data + ', ROUND(index_length / 1048576),
                   ' MiB indexes') FROM information_schema.tables WHERE table_schema = '$schema' AND table_name = 'hazards'")
pool_mib=$(( $(root_sql 'SELECT @@innodb_buffer_pool_size') / 1048576 ))
note "Data: $total hazards in $schema ($mz_total of department MZ, $open_total open); $insert_note;"
note "hazards table $hazard_size; InnoDB buffer pool $pool_mib MiB."
note ""

# ---------------------------------------------------------------- server
file_limit=$((300 * 1048576))
hazard_limit=$((4 * 1073741824))
CW_STORAGE_DIR=$files CW_JOBS_ENABLED=false \
  CW_HAZARDS_MAX_EVIDENCE_FILE_BYTES=$file_limit CW_HAZARDS_MAX_EVIDENCE_HAZARD_BYTES=$hazard_limit \
  CW_HAZARDS_MAX_EVIDENCE_FILES=1000 \
  "$CW_BIN" serve --port 0 >"$logs/carewatch.log" 2>&1 &
cw_pid=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's/.*"msg":"listening","address":"http:\/\/127.0.0.1:\([0-9]*\)".*/\1/p' "$logs/carewatch.log")
  [ -n "$port" ] && break
  kill -0 "$cw_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "carewatch did not start: $(tail -n5 "$logs/carewatch.log")"
base=http://127.0.0.1:$port
note "Server: carewatch serve on port $port (pid $cw_pid), storage.dir ${files#$REPO_ROOT/}, jobs off,"
note "limits: $((file_limit / 1048576)) MiB per file, $((hazard_limit / 1073741824)) GiB per hazard, 1000 files per hazard"
note "(10000 files is refused: hazards.max_evidence_files accepts 1..1000)."
note ""

login() {
  local token
  token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
            -d "{\"username\":\"$1\",\"password\":\"$password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || die "could not sign in as $1"
  printf '%s' "$token"
}
officer_token=$(login mz.wangli)
inst_token=$(login inst.kangle)
inst_id=$(sql "SELECT institution_id FROM users WHERE username = 'inst.kangle'")
rss() { local k v _; while read -r k v _; do [ "$k" = "$1:" ] && { echo "$v"; return; }; done <"/proc/$cw_pid/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# A self-check hazard of inst.kangle (state rectifying): evidence may be added to it.
new_hazard() {
  local reply id
  reply=$(curl -sS -X POST "$base/api/v1/hazards" -H "Authorization: Bearer $inst_token" \
            -H 'Content-Type: application/json' \
            -d "{\"institution_id\":$inst_id,\"catalogue_code\":\"SS-06\",\"title\":\"基准测试：整改证据上传 $1\",\
\"description\":\"bench/hazards/run.sh 为上传基准测试创建的自查隐患。\"}")
  id=$(sed -n 's/.*[{,]"id":\([0-9]*\)[,}].*/\1/p' <<<"$reply")
  [ -n "$id" ] && grep -q '"state":"rectifying"' <<<"$reply" || die "could not report a self-check hazard: $reply"
  printf '%s' "$id"
}

# ---------------------------------------------------------------- 1. one large upload
big=$work/big.pdf
big_bytes=$((big_mib * 1048576))
log "1. large upload: generating a $big_mib MiB PDF-looking file"
{ printf '%%PDF-1.4\n'; head -c $((big_bytes - 9)) /dev/urandom; } >"$big"
set_byte() { printf "\\x$(printf %02x "$1")" | dd of="$big" bs=1 seek=9 conv=notrunc status=none; }
secs_of() { local TIMEFORMAT=%R; { time "$@" >/dev/null 2>&1; } 2>&1; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN {printf "%.0f", (s > 0 ? b / 1048576 / s : 0)}'; }

# SHA-256 as the server computes it (OpenSSL) when the openssl tool is there; coreutils' sha256sum is slower.
if command -v openssl >/dev/null; then
  sha_tool="openssl dgst -sha256"
  sha256_of() { openssl dgst -sha256 -r "$1" | cut -d' ' -f1; }
else
  sha_tool=sha256sum
  sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
fi
sha_secs=$(secs_of sha256_of "$big")
dd_secs=$(secs_of dd if="$big" of="$files/dd-probe" bs=1M conv=fsync)
rm -f "$files/dd-probe"

sink_line="not measured (python3 is not installed)"
if [ "$have_python" = 1 ]; then
  python3 "$here/sink.py" >"$work/sink.port" 2>"$logs/sink.log" &
  sink_pid=$!
  for _ in $(seq 100); do [ -s "$work/sink.port" ] && break; sleep 0.1; done
  sink_port=$(head -n1 "$work/sink.port")
  [ -n "$sink_port" ] || die "the loopback sink did not start: $(cat "$logs/sink.log")"
  sink_times=()
  for i in $(seq "$big_runs"); do
    read -r code t < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Expect:' \
                         -F "file=@$big;type=application/pdf" "http://127.0.0.1:$sink_port/upload") ||
      die "the upload to the loopback sink failed"
    [ "$code" = 200 ] || die "the loopback sink answered $code"
    sink_times+=("$t")
  done
  stop_pid "$sink_pid"
  sink_pid=
  sink_best=$(printf '%s\n' "${sink_times[@]}" | sort -g | head -n1)
  sink_line="$(rate "$big_bytes" "$sink_best") MiB/s (best of $big_runs: ${sink_times[*]} s)"
fi

big_hazard=$(new_hazard "large file")
log "1. large upload: $big_runs x $big_mib MiB to hazard $big_hazard"
echo 5 >"/proc/$cw_pid/clear_refs" 2>/dev/null || true  # resets VmHWM to the current RSS (Linux >= 4.0)
rss_before=$(rss VmRSS)
hwm_before=$(rss VmHWM)
( while kill -0 "$cw_pid" 2>/dev/null; do echo "$EPOCHREALTIME $(rss VmRSS)"; sleep 0.05; done ) >"$logs/big-rss.txt" &
sampler_pid=$!
sleep 0.5
big_times=()
big_codes=()
for i in $(seq "$big_runs"); do
  set_byte "$i"  # byte 9 (the first after "%PDF-1.4\n"): every upload is new content, never a duplicate
  want=$(sha256_of "$big")
  read -r code t < <(curl -sS -o "$logs/big-upload-$i.json" -w '%{http_code} %{time_total}\n' -H 'Expect:' \
                       -H "Authorization: Bearer $inst_token" -F "file=@$big;type=application/pdf" \
                       "$base/api/v1/hazards/$big_hazard/evidence") ||
    die "large upload $i failed (curl): is the server still running? $(tail -n3 "$logs/carewatch.log")"
  big_codes+=("$code")
  big_times+=("$t")
  if [ "$code" != 201 ]; then
    note "PROBLEM: large upload $i answered $code: $(head -c 400 "$logs/big-upload-$i.json")"
  elif ! grep -q "\"sha256\":\"$want\"" "$logs/big-upload-$i.json" || ! grep -q "\"size_bytes\":$big_bytes[,}]" "$logs/big-upload-$i.json"; then
    note "PROBLEM: large upload $i stored something else: $(head -c 400 "$logs/big-upload-$i.json") (want sha256 $want)"
  fi
done
sleep 1
stop_pid "$sampler_pid"
sampler_pid=
rss_after=$(rss VmRSS)
hwm_after=$(rss VmHWM)
rss_peak=$(awk '$2 > m {m = $2} END {print m + 0}' "$logs/big-rss.txt")
samples=$(wc -l <"$logs/big-rss.txt")
growth=$(( (rss_peak > hwm_after ? rss_peak : hwm_after) - rss_before ))
big_best=$(printf '%s\n' "${big_times[@]}" | sort -g | head -n1)
server_ms=$(grep "\"path\":\"/api/v1/hazards/$big_hazard/evidence\"" "$logs/carewatch.log" |
              sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p' | awk '{printf "%s%.0f", (NR > 1 ? ", " : ""), $1}')
verdict=$([ "$growth" -lt $((32 * 1024)) ] && echo "met" || echo "MISSED")

note "## 1. One large upload: $big_mib MiB PDF-looking file (\"%PDF-1.4\\n\" + random bytes, big.pdf)"
note "POST /api/v1/hazards/$big_hazard/evidence as inst.kangle, curl -F file=@big.pdf, $big_runs times; the hazard"
note "is a self-check reported by this run (rectifying), and byte 9 differs per upload, so none is a duplicate."
note "  carewatch:      $(rate "$big_bytes" "$big_best") MiB/s best; each: ${big_times[*]} s (HTTP ${big_codes[*]});"
note "                  server-side duration ${server_ms:-?} ms"
note "  loopback sink:  $sink_line"
note "  SHA-256 alone:  $(rate "$big_bytes" "$sha_secs") MiB/s ($sha_tool, $sha_secs s)"
note "  disk alone:     $(rate "$big_bytes" "$dd_secs") MiB/s (dd bs=1M conv=fsync into storage.dir, $dd_secs s)"
note "  server memory:  VmRSS $(mib "$rss_before") MiB before, peak $(mib "$rss_peak") MiB sampled ($samples samples every 50 ms),"
note "                  $(mib "$rss_after") MiB after; VmHWM $(mib "$hwm_before") -> $(mib "$hwm_after") MiB"
note "  growth:         $(mib "$growth") MiB (target < 32 MiB: $verdict)"
note ""

# ---------------------------------------------------------------- 2. concurrent small uploads
small_ids=()
for k in $(seq "$small_hazards"); do small_ids+=("$(new_hazard "small files $k")"); done
ids_csv=$(IFS=,; echo "${small_ids[*]}")
log "2. small uploads: $upload_clients connections x ${upload_seconds}s of ${small_kib} KiB PNG files over $small_hazards hazards"
echo 5 >"/proc/$cw_pid/clear_refs" 2>/dev/null || true
rss_before=$(rss VmRSS)
CW_WRK_TOKEN=$inst_token CW_WRK_HAZARDS=$ids_csv CW_WRK_FILE_BYTES=$((small_kib * 1024)) \
  wrk -t2 -c"$upload_clients" -d"${upload_seconds}s" --timeout 30s --latency -s "$here/upload.lua" "$base" \
  >"$logs/wrk-uploads.txt" 2>&1 || die "wrk failed: $(tail -n5 "$logs/wrk-uploads.txt")"
sleep 1  # requests wrk abandoned at the end still finish on the server
created=$(awk '$1 == "created" {print $2}' "$logs/wrk-uploads.txt")
not_created=$(awk '$1 == "not_created" {print $2}' "$logs/wrk-uploads.txt")
first_error=$(sed -n 's/^first_error //p' "$logs/wrk-uploads.txt")
duration=$(sed -n 's/.* requests in \([0-9.]*\)s,.*/\1/p' "$logs/wrk-uploads.txt")
socket_errors=$(grep 'Socket errors' "$logs/wrk-uploads.txt" | sed 's/^ *//' || true)
p50=$(awk '$1 == "50%" {print $2}' "$logs/wrk-uploads.txt")
p99=$(awk '$1 == "99%" {print $2}' "$logs/wrk-uploads.txt")
read -r db_files db_bytes < <(sql "SELECT COUNT(*), COALESCE(SUM(size_bytes), 0) FROM hazard_evidence WHERE hazard_id IN ($ids_csv)")
stored=$(find "$files" -path "$files/.incoming" -prune -o -type f -size "$((small_kib * 1024))c" -print | wc -l)
leftovers=$(find "$files/.incoming" -type f 2>/dev/null | wc -l)
note "## 2. Concurrent small uploads: $upload_clients connections (wrk -t2, upload.lua), ${upload_seconds} s, distinct ${small_kib} KiB PNG-like files"
note "over $small_hazards self-check hazards of inst.kangle reported by this run (1000 files each at most)."
note "  $(awk -v c="${created:-0}" -v d="${duration:-0}" 'BEGIN {printf "%.1f", (d > 0 ? c / d : 0)}') uploads/s ($created created (201) in ${duration}s); latency p50 $p50, p99 $p99"
note "  errors: ${not_created:-?} responses other than 201${first_error:+ (first: $first_error)}${socket_errors:+; $socket_errors}"
note "  check: $db_files evidence rows ($(mib $((db_bytes / 1024))) MiB) in the database, $stored files of that size in storage.dir,"
note "  $leftovers partial files left in storage.dir/.incoming"
note "  (wrk abandons the requests in flight when it stops; the server still completes them: up to $upload_clients more)."
note "  server VmRSS $(mib "$rss_before") MiB before, $(mib "$(rss VmRSS)") MiB after, VmHWM $(mib "$(rss VmHWM)") MiB"
note ""

# ---------------------------------------------------------------- 3. the hazard list over the million
note "## 3. GET /api/v1/hazards as officer mz.wangli (department MZ), page 1, page_size 20"
note "First request alone (curl), then wrk -t2 -c8 -d${list_seconds}s --latency --timeout 30s."
note ""
note "| filter | matches | alone | requests | req/s | p50 | p99 | errors |"
note "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
queries=("" "state=open" "severity=major&state=overdue" "region=360402" "category=fire")
for q in "${queries[@]}"; do
  path="/api/v1/hazards?page_size=20${q:+&$q}"
  name=${q:-"(none)"}
  log "3. list: $name"
  read -r code alone < <(curl -sS -o "$work/list.json" -w '%{http_code} %{time_total}\n' \
                          -H "Authorization: Bearer $officer_token" "$base$path") ||
    die "GET $path failed (curl): $(tail -n3 "$logs/carewatch.log")"
  matches=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$work/list.json")
  grep -q '"total_capped":true' "$work/list.json" && matches="${matches}+"
  [ "$code" = 200 ] || note "PROBLEM: $path answered $code: $(head -c 300 "$work/list.json")"
  slug=$(tr -c 'a-z0-9\n' '_' <<<"${q:-all}")
  wrk -t2 -c8 -d"${list_seconds}s" --timeout 30s --latency -H "Authorization: Bearer $officer_token" "$base$path" \
    >"$logs/wrk-list-$slug.txt" 2>&1 || die "wrk failed: $(tail -n5 "$logs/wrk-list-$slug.txt")"
  out=$logs/wrk-list-$slug.txt
  requests=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$out")
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  errors=$( { grep -E 'Non-2xx|Socket errors' "$out" || true; } | sed 's/^ *//' | paste -sd';' | sed 's/;/; /g')
  note "| \`${name}\` | ${matches:-?} | $(awk -v t="$alone" 'BEGIN {printf "%.0f ms", t * 1000}') | $requests | $rps | $p50 | $p99 | ${errors:-none} |"
done
note ""

# ANALYZE (run, with row counts) of the two statements each list request sends, written out the way
# modules/hazards/src/repository.cpp list() builds them for an officer of MZ (keep in step with it).
today=$(sql "SELECT DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR)")
open_states="h.state IN ('reported', 'notified', 'rectifying', 'submitted')"
wheres=("h.department_code = 'MZ'"
        "h.department_code = 'MZ' AND $open_states"
        "h.department_code = 'MZ' AND $open_states AND h.deadline < '$today' AND h.severity = 'major'"
        "h.department_code = 'MZ' AND h.region_code LIKE '360402%'"
        "h.department_code = 'MZ' AND h.category = 'fire'")
{
  for k in "${!queries[@]}"; do
    echo "== ${queries[$k]:-(no filter)}: the count (capped at 10,001), then the page of ids"
    "$REPO_ROOT/scripts/db" client "$schema" --table -e "
      ANALYZE SELECT COUNT(*) AS n FROM (SELECT 1 FROM hazards h WHERE ${wheres[$k]} LIMIT 10001) x;
      ANALYZE SELECT h.id FROM hazards h WHERE ${wheres[$k]} ORDER BY h.id DESC LIMIT 20 OFFSET 0;"
  done
} >"$logs/explain.txt" 2>&1 || true
note "Plans (ANALYZE, actual rows read): ${logs#$REPO_ROOT/}/explain.txt"
note ""

# ---------------------------------------------------------------- server log
errors=$(grep -c '"level":"error"' "$logs/carewatch.log" || true)
status5=$(grep -c '"status":5[0-9][0-9]' "$logs/carewatch.log" || true)
note "Server log: $errors error lines, $status5 responses with status 5xx; VmRSS at the end $(mib "$(rss VmRSS)") MiB."
[ "$errors" -eq 0 ] || note "First error: $(grep -m1 '"level":"error"' "$logs/carewatch.log" | head -c 400)"
note "Total run time $(( $(date +%s) - run_started )) s; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
log "summary: ${summary#$REPO_ROOT/}; logs: ${logs#$REPO_ROOT/}"
