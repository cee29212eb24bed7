#!/usr/bin/env bash
# Soak test (docs/security-soak.md): mixed traffic with wrk (reads, writes, evidence uploads: bench/soak/mix.lua)
# against the built carewatch, first as fast as it goes to measure the peak, then for CW_SOAK_SECONDS at half that
# rate, while the server's memory, open files, threads and sockets are sampled. Exits 1 on any error answer or
# socket error, on memory growth past the tolerance, or on growth in open files or sockets.
#
#   0. the private MariaDB (scripts/db start), a throwaway schema cw_test_soak (dropped first and at the end),
#      migrate + seed-demo, `carewatch serve --port 0` with its own storage.dir; demo users signed in (bearer
#      tokens); a 3 s check run of the mix with one connection;
#   1. peak: CW_SOAK_PEAK_SECONDS of the mix, unpaced, CW_SOAK_PEAK_CONNECTIONS connections;
#   2. soak: CW_SOAK_WARMUP_SECONDS of warm-up, then CW_SOAK_SECONDS, in one wrk run paced to CW_SOAK_FRACTION of
#      the peak over CW_SOAK_CONNECTIONS connections; the server sampled every CW_SOAK_SAMPLE_SECONDS (VmRSS, VmHWM,
#      threads, open fds by kind, TCP connections to the database and from clients, requests answered, and the
#      database server's Prepared_stmt_count) into samples.csv;
#   3. the verdict: any answer other than 2xx/3xx or wrk socket error (timeouts included) in any run; VmRSS at the
#      end of the soak more than max(CW_SOAK_RSS_TOLERANCE_PCT %, CW_SOAK_RSS_TOLERANCE_MIB) above the first sample
#      after the warm-up; sockets, or fds other than sockets and POCO's transient epoll instances, more than
#      CW_SOAK_FD_SLACK above that sample; fds or sockets when quiet after the soak above the quiet state before it.
# Results: results.txt (and the terminal), wrk output per run (wrk-*.txt), samples.csv, the server log.
#
# Environment: CW_SOAK_SECONDS (600), CW_SOAK_WARMUP_SECONDS (60), CW_SOAK_PEAK_SECONDS (20),
# CW_SOAK_PEAK_CONNECTIONS (64), CW_SOAK_CONNECTIONS (32), CW_SOAK_FRACTION (0.5), CW_SOAK_RATE (a fixed rate in
# requests/s instead of the fraction of the peak), CW_SOAK_SAMPLE_SECONDS (10), CW_SOAK_UPLOAD_BYTES (16384),
# CW_SOAK_TIMEOUT (10: wrk's request timeout, s; a timeout counts as an error), CW_SOAK_RSS_TOLERANCE_PCT (10) and
# CW_SOAK_RSS_TOLERANCE_MIB (16): the larger of the two is the allowed RSS growth, CW_SOAK_FD_SLACK (8),
# CW_SOAK_DIR (build/soak: logs, samples.csv, results.txt, the server's storage.dir), CW_SOAK_KEEP_FILES=1 keeps
# the uploaded files, CW_BIN (the carewatch binary; default build/modules/server/carewatch), CW_SOAK_KINDS (only
# these kinds of mix.lua, comma-separated: to isolate a problem).
# It never builds: build carewatch first (scripts/run or scripts/test). Needs curl and wrk (Debian's, LuaJIT).
set -euo pipefail
user_bin=${CW_BIN:-}
source "$(dirname -- "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"
[ -n "$user_bin" ] && CW_BIN=$user_bin
cd "$REPO_ROOT"

soak_seconds=${CW_SOAK_SECONDS:-600}
warmup_seconds=${CW_SOAK_WARMUP_SECONDS:-60}
peak_seconds=${CW_SOAK_PEAK_SECONDS:-20}
peak_connections=${CW_SOAK_PEAK_CONNECTIONS:-64}
connections=${CW_SOAK_CONNECTIONS:-32}
fraction=${CW_SOAK_FRACTION:-0.5}
fixed_rate=${CW_SOAK_RATE:-}
sample_seconds=${CW_SOAK_SAMPLE_SECONDS:-10}
upload_bytes=${CW_SOAK_UPLOAD_BYTES:-16384}
timeout=${CW_SOAK_TIMEOUT:-10}
rss_pct=${CW_SOAK_RSS_TOLERANCE_PCT:-10}
rss_mib=${CW_SOAK_RSS_TOLERANCE_MIB:-16}
fd_slack=${CW_SOAK_FD_SLACK:-8}
out=${CW_SOAK_DIR:-$BUILD_DIR/soak}
schema=cw_test_soak
password='Jiujiang#2026'
here=$REPO_ROOT/bench/soak
files=$out/files
csv=$out/samples.csv
results=$out/results.txt

# ---------------------------------------------------------------- preconditions
[ -x "$CW_BIN" ] || die "$CW_BIN is missing or not executable: build carewatch first (scripts/run or scripts/test), or
       point CW_BIN at a built binary; this script never builds"
for tool in curl wrk awk; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian package: $tool)"
done
for n in "$soak_seconds" "$warmup_seconds" "$peak_seconds" "$peak_connections" "$connections" "$sample_seconds" \
         "$upload_bytes" "$timeout" "$rss_pct" "$rss_mib" "$fd_slack"; do
  [[ $n =~ ^[0-9]+$ ]] || die "the CW_SOAK_* settings are whole numbers (got '$n')"
done
[ "$connections" -ge 1 ] && [ "$peak_connections" -ge 1 ] || die "connections must be at least 1"

mkdir -p "$out"
rm -rf "$files"
mkdir -p "$files"
: >"$results"
note() { printf '%s\n' "$*" | tee -a "$results"; }

bench_use_schema "$schema"

cw_pid=
sampler_pid=
wrk_pid=
cleanup() {
  local rc=$?
  [ -n "$wrk_pid" ] && stop_pid "$wrk_pid"
  [ -n "$sampler_pid" ] && stop_pid "$sampler_pid"
  [ -n "$cw_pid" ] && stop_pid "$cw_pid"
  root_sql "DROP DATABASE IF EXISTS $schema" >/dev/null 2>&1 || printf 'warning: could not drop %s\n' "$schema" >&2
  [ "${CW_SOAK_KEEP_FILES:-0}" = 1 ] || rm -rf "$files"
  if [ "$rc" -ne 0 ] && ! grep -q '^VERDICT' "$results" 2>/dev/null; then
    printf '\nINCOMPLETE: the run failed (exit %s); logs in %s\n' "$rc" "$out" >>"$results"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
note "# Soak, $(date -u '+%Y-%m-%d %H:%M UTC')"
note "Machine: $(nproc) cores ($(uname -m), $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)),\
 $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
note "Binary: $CW_BIN ($(date -u -r "$CW_BIN" '+%Y-%m-%d %H:%M UTC'), $("$CW_BIN" version 2>/dev/null | head -n1))"

# ---------------------------------------------------------------- data and server
root_sql "DROP DATABASE IF EXISTS $schema; CREATE DATABASE $schema CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
"$CW_BIN" migrate >"$out/migrate.log" 2>&1 || die "migrate failed: $(tail -n3 "$out/migrate.log")"
"$CW_BIN" seed-demo >"$out/seed.log" 2>&1 || die "seed-demo failed: $(tail -n3 "$out/seed.log")"

# Production defaults (config/carewatch.properties) except the storage directory: 64 HTTP threads, a pool of 32
# database connections, jobs on, 30 evidence files per hazard.
CW_STORAGE_DIR=$files "$CW_BIN" serve --port 0 >"$out/carewatch.log" 2>&1 &
cw_pid=$!
port=
for _ in $(seq 300); do
  port=$(sed -n 's/.*"msg":"listening","address":"http:\/\/127.0.0.1:\([0-9]*\)".*/\1/p' "$out/carewatch.log" | head -n1)
  [ -n "$port" ] && break
  kill -0 "$cw_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || die "carewatch did not start: $(tail -n5 "$out/carewatch.log")"
base=http://127.0.0.1:$port
db_port=$CW_DB_PORT
note "Server: pid $cw_pid, port $port, schema $schema, storage.dir $files; database 127.0.0.1:$db_port"

login() {
  local token
  token=$(curl -fsS -X POST "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
            -d "{\"username\":\"$1\",\"password\":\"$password\"}" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || die "could not sign in as $1"
  printf '%s' "$token"
}
export CW_SOAK_TOKEN_OFFICER CW_SOAK_TOKEN_BUREAU CW_SOAK_TOKEN_INSTITUTION CW_SOAK_TOKEN_INSPECTOR
CW_SOAK_TOKEN_OFFICER=$(login mz.wangli)
CW_SOAK_TOKEN_BUREAU=$(login sj.credit)
CW_SOAK_TOKEN_INSTITUTION=$(login inst.kangle)
CW_SOAK_TOKEN_INSPECTOR=$(login mz.liuqiang)
more_tokens=()
for user in wj.chenjing inst.xiaoxingxing admin; do more_tokens+=("$(login "$user")") || exit 1; done
export CW_SOAK_ME_TOKENS
CW_SOAK_ME_TOKENS=$(IFS=,; echo "$CW_SOAK_TOKEN_OFFICER,$CW_SOAK_TOKEN_BUREAU,$CW_SOAK_TOKEN_INSTITUTION,$CW_SOAK_TOKEN_INSPECTOR,${more_tokens[*]}")
CW_SOAK_INSTITUTION=$(sql "SELECT institution_id FROM users WHERE username = 'inst.kangle'")
[ -n "$CW_SOAK_INSTITUTION" ] || die "inst.kangle has no institution in $schema"
export CW_SOAK_INSTITUTION
# Credit codes for the check: every seeded institution the check answers 200 for (the demo's blacklisted 湓城 among them).
entities=()
for code in $(sql "SELECT credit_code FROM institutions ORDER BY id LIMIT 40"); do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $CW_SOAK_TOKEN_BUREAU" \
             "$base/api/v1/credit/check?entity=$code&action=subsidy")
  [ "$status" = 200 ] && entities+=("$code")
done
[ ${#entities[@]} -gt 0 ] || die "the credit check answered no seeded institution with 200"
export CW_SOAK_ENTITIES
CW_SOAK_ENTITIES=$(IFS=,; echo "${entities[*]}")
export CW_SOAK_UPLOAD_BYTES=$upload_bytes
note "Signed in: mz.wangli (officer), sj.credit (bureau), inst.kangle (institution $CW_SOAK_INSTITUTION), mz.liuqiang"
note "(inspector), plus wj.chenjing, inst.xiaoxingxing and admin for /auth/me; ${#entities[@]} credit codes for the check."

# ---------------------------------------------------------------- sampling
echo prep >"$out/phase"
echo "t_s,phase,vmrss_kib,vmhwm_kib,threads,fds,socket_fds,epoll_fds,other_fds,tcp_db,tcp_clients,tcp_listen,tcp_other,requests,db_prepared_stmts" >"$csv"
sample() {  # one CSV line about the server process
  local pid=$cw_pid t ph rss hwm thr links fds socks epolls inodes tcp served stmts
  t=$(( $(date +%s) - started ))
  ph=$(cat "$out/phase")
  rss=$(awk '$1 == "VmRSS:" {print $2}' "/proc/$pid/status" 2>/dev/null) || return 0
  hwm=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$pid/status")
  thr=$(awk '$1 == "Threads:" {print $2}' "/proc/$pid/status")
  # The fd links: sockets are socket:[inode], their TCP state is in the namespace's tcp tables (matched by inode);
  # anon_inode:[eventpoll] are epoll instances, which POCO opens per wait on a keep-alive connection and closes
  # again (0 .. one per connection under load); everything else (log, /dev/null, pipes, files being uploaded or
  # served) is "other". ls fails when an fd closes while it lists them: what it listed still counts.
  links=$( { ls -l "/proc/$pid/fd" 2>/dev/null || true; } | sed -n 's/.* -> //p')
  fds=$(grep -c . <<<"$links" || true)
  inodes=$(sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' <<<"$links" | paste -sd' ')
  socks=$(grep -c '^socket:' <<<"$links" || true)
  epolls=$(grep -c '^anon_inode:\[eventpoll\]' <<<"$links" || true)
  tcp=$( { cat "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6" 2>/dev/null || true; } |
        awk -v inodes="$inodes" -v port="$(printf '%04X' "$port")" -v dbport="$(printf '%04X' "$db_port")" '
          BEGIN { n = split(inodes, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1 }
          function portof(x) { sub(/.*:/, "", x); return x }
          $1 ~ /^[0-9]+:$/ && ($10 in mine) {
            if ($4 == "0A") listen++
            else if (portof($3) == dbport) db++
            else if (portof($2) == port) clients++
            else other++
          }
          END { printf "%d,%d,%d,%d", db, clients, listen, other }')
  # Requests answered so far (the server's own counter, /metrics), and the prepared statements the database server
  # holds for all its clients (Prepared_stmt_count: this server's 32 pooled connections, plus whatever else uses it).
  served=$(curl -s --max-time 5 "$base/metrics" 2>/dev/null |
           awk '/^carewatch_http_requests_total[{ ]/ {s += $NF} END {printf "%d", s}' || true)
  stmts=$(root_sql "SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'" 2>/dev/null | cut -f2 || true)
  echo "$t,$ph,$rss,$hwm,$thr,$fds,$socks,$epolls,$((fds - socks - epolls)),$tcp,${served:-},${stmts:-}" >>"$csv"
}
( set +e; while kill -0 "$cw_pid" 2>/dev/null; do sample; sleep "$sample_seconds"; done ) &
sampler_pid=$!

# ---------------------------------------------------------------- wrk runs
# run_wrk name connections seconds rate: the mix with one connection per thread; the output goes to wrk-<name>.txt.
run_wrk() {
  local name=$1 c=$2 secs=$3 rate=$4
  CW_SOAK_RATE=$rate CW_SOAK_CONNECTIONS=$c CW_SOAK_PHASE="${name:0:1}$started" \
    wrk -t"$c" -c"$c" -d"${secs}s" --timeout "${timeout}s" -s "$here/mix.lua" "$base" >"$out/wrk-$name.txt" 2>&1 &
  wrk_pid=$!
}
wait_wrk() {
  local name=$1 rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=
  [ "$rc" -eq 0 ] || die "wrk ($name) failed with exit $rc: $(tail -n5 "$out/wrk-$name.txt")"
  grep -q '^completed ' "$out/wrk-$name.txt" || die "wrk ($name) printed no summary: $(tail -n5 "$out/wrk-$name.txt")"
}
field() { awk -v k="$2" -v f="$3" '$1 == k {for (i = 2; i < NF; i++) if ($i == f) {print $(i + 1); exit}}' "$out/wrk-$1.txt"; }
bad_of() { awk '$1 == "bad_responses" {print $2}' "$out/wrk-$1.txt"; }
sock_of() { awk '$1 == "socket_errors" {print $3 + $5 + $7 + $9}' "$out/wrk-$1.txt"; }
rate_of() { awk '$1 == "completed" {printf "%.1f", $2 / ($4 / 1e6)}' "$out/wrk-$1.txt"; }
kinds_table() {  # name: one line per kind
  awk '$1 == "kind" {printf "  %-20s %-6s %8d   2xx %8d  3xx %d  4xx %d  5xx %d  other %d\n", $2, $3, $4, $6, $8, $10, $12, $14}
       $1 == "first_error" {sub(/^first_error /, ""); print "    first error: " substr($0, 1, 300)}' "$out/wrk-$1.txt"
}

read -r hazards_before evidence_before < <(sql "SELECT (SELECT COALESCE(MAX(id), 0) FROM hazards),
                                                      (SELECT COALESCE(MAX(id), 0) FROM hazard_evidence)")
log "check: the mix for 3 s over one connection"
echo check >"$out/phase"
run_wrk check 1 3 0
wait_wrk check
[ "$(bad_of check)" = 0 ] && [ "$(sock_of check)" = 0 ] || {
  kinds_table check
  die "the check run had errors (above; $out/wrk-check.txt): fix the mix or the server before soaking"
}

log "1. peak: ${peak_seconds}s unpaced, $peak_connections connections"
echo peak >"$out/phase"
run_wrk peak "$peak_connections" "$peak_seconds" 0
wait_wrk peak
peak=$(rate_of peak)
echo pause >"$out/phase"
sleep 5  # requests wrk abandoned at the end still finish on the server
sample   # the quiet state before the soak, compared with the one after it
if [ -n "$fixed_rate" ]; then
  target=$fixed_rate
else
  target=$(awk -v p="$peak" -v f="$fraction" 'BEGIN {printf "%.0f", p * f}')
fi
[ "$target" -ge 1 ] || die "the target rate came out as $target requests/s (peak $peak)"
note ""
note "## 1. Peak: $peak requests/s (${peak_seconds} s unpaced, $peak_connections connections, wrk -t$peak_connections;\
 latency p50 $(field peak latency_us p50) us, p99 $(field peak latency_us p99) us)"
kinds_table peak | tee -a "$results"
note "  socket errors: $(sed -n 's/^socket_errors //p' "$out/wrk-peak.txt")"

total=$((warmup_seconds + soak_seconds))
log "2. soak: ${warmup_seconds}s warm-up + ${soak_seconds}s at $target requests/s over $connections connections"
echo warmup >"$out/phase"
run_wrk soak "$connections" "$total" "$target"
sleep "$warmup_seconds"
echo soak >"$out/phase"
wait_wrk soak
echo idle >"$out/phase"
sleep 3
sample
stop_pid "$sampler_pid"
sampler_pid=
achieved=$(rate_of soak)

# ---------------------------------------------------------------- figures
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
# start: the first sample after the warm-up; middle: the one nearest the middle of the soak; end: the last under load.
read -r s_t s_rss s_fds s_socks s_other < <(awk -F, '$2 == "soak" {print $1, $3, $6, $7, $9; exit}' "$csv")
read -r e_t e_rss e_fds e_socks e_other < <(awk -F, '$2 == "soak" {l = $1 " " $3 " " $6 " " $7 " " $9} END {print l}' "$csv")
[ -n "${s_t:-}" ] && [ -n "${e_t:-}" ] || die "no samples in the soak phase ($csv)"
mid=$(( (s_t + e_t) / 2 ))
read -r m_t m_rss < <(awk -F, -v m="$mid" '$2 == "soak" {d = $1 - m; if (d < 0) d = -d; if (b == "" || d < b) {b = d; l = $1 " " $3}} END {print l}' "$csv")
read -r i_rss i_hwm i_fds i_socks i_clients i_db < <(awk -F, '$2 == "idle" {l = $3 " " $4 " " $6 " " $7 " " $11 " " $10} END {print l}' "$csv")
read -r p_rss p_fds p_socks < <(awk -F, '$2 == "pause" {l = $3 " " $6 " " $7} END {print l}' "$csv")
minmax() {  # column: "min max" over the soak samples
  awk -F, -v c="$1" '$2 == "soak" {if (n++ == 0 || $c < lo) lo = $c; if ($c > hi) hi = $c} END {print lo + 0, hi + 0}' "$csv"
}
read -r fd_lo fd_hi < <(minmax 6)
read -r sock_lo sock_hi < <(minmax 7)
read -r ep_lo ep_hi < <(minmax 8)
read -r ot_lo ot_hi < <(minmax 9)
read -r db_lo db_hi < <(minmax 10)
read -r cl_lo cl_hi < <(minmax 11)
read -r th_lo th_hi < <(minmax 5)
read -r rss_lo rss_hi < <(minmax 3)
samples=$(awk -F, '$2 == "soak"' "$csv" | wc -l)
# Least-squares slope of VmRSS over the soak samples, in MiB per hour.
slope=$(awk -F, '$2 == "soak" {n++; x += $1; y += $3; xx += $1 * $1; xy += $1 * $3}
                 END {d = n * xx - x * x; printf "%.1f", (d > 0 ? (n * xy - x * y) / d * 3600 / 1024 : 0)}' "$csv")
allowed=$(awk -v s="$s_rss" -v p="$rss_pct" -v m="$rss_mib" 'BEGIN {a = s * p / 100; if (a < m * 1024) a = m * 1024; printf "%d", a}')
growth=$((e_rss - s_rss))

soak_completed=$(awk '$1 == "completed" {print $2}' "$out/wrk-soak.txt")
soak_duration=$(awk '$1 == "completed" {printf "%.1f", $4 / 1e6}' "$out/wrk-soak.txt")
bad=$(( $(bad_of check) + $(bad_of peak) + $(bad_of soak) ))
sock=$(( $(sock_of check) + $(sock_of peak) + $(sock_of soak) ))
late=$(awk '$1 == "paced" {print $5}' "$out/wrk-soak.txt")

# What the database and the store hold (wrk abandons the requests in flight when it stops: up to one per
# connection more than it counted).
read -r hazards_made evidence_rows < <(sql "SELECT (SELECT COUNT(*) FROM hazards WHERE id > $hazards_before),
                                             (SELECT COUNT(*) FROM hazard_evidence WHERE id > $evidence_before)")
stored=$(find "$files" -path "$files/.incoming" -prune -o -type f -print | wc -l)
stored_mib=$(du -sm "$files" | cut -f1)
read -r backlog_credit < <(sql "SELECT COUNT(*) FROM domain_events e WHERE e.id > COALESCE((SELECT last_event_id FROM
  event_consumers WHERE consumer = 'credit'), 0) AND e.topic LIKE 'hazard.%'")
log_errors=$(grep -c '"level":"error"' "$out/carewatch.log" || true)
log_5xx=$(grep -c '"status":5[0-9][0-9]' "$out/carewatch.log" || true)

note ""
note "## 2. Soak: $target requests/s asked ($( [ -n "$fixed_rate" ] && echo "CW_SOAK_RATE" || echo "$fraction x peak")),\
 $achieved achieved ($soak_completed requests in $soak_duration s:"
note "   ${warmup_seconds} s warm-up + ${soak_seconds} s), $connections connections (wrk -t$connections), paced in mix.lua;\
 slots dropped because the server lagged > 2 s: ${late:-0};"
note "   latency p50 $(field soak latency_us p50) us, p90 $(field soak latency_us p90) us, p99 $(field soak latency_us p99) us, max $(field soak latency_us max) us"
kinds_table soak | tee -a "$results"
note "  by class: $(awk '$1 == "kind" {n[$3] += $4} END {printf "read %d, write %d, upload %d", n["read"], n["write"], n["upload"]}' "$out/wrk-soak.txt")"
note "  socket errors: $(sed -n 's/^socket_errors //p' "$out/wrk-soak.txt")"
note ""
note "## Server process ($samples samples every ${sample_seconds} s after the warm-up; all samples in $csv)"
note "  VmRSS: start (t=${s_t}s, after warm-up) $(mib "$s_rss") MiB, middle (t=${m_t}s) $(mib "$m_rss") MiB,\
 end (t=${e_t}s) $(mib "$e_rss") MiB;"
note "         min $(mib "$rss_lo"), max $(mib "$rss_hi") MiB; trend $slope MiB/h (least squares); VmHWM at the end $(mib "$i_hwm") MiB"
note "  VmRSS (MiB) each minute from the start of the soak: $(awk -F, -v s="$s_t" '$2 == "soak" && $1 - s >= 60 * n {printf "%s%.1f", (n ? " " : ""), $3 / 1024; n++}' "$csv")"
note "  requests/s answered per minute of the soak (server's counter): $(awk -F, -v s="$s_t" '$2 == "soak" && $1 - s >= 60 * n {
      if (n && $1 > pt) printf "%s%.0f", (n > 1 ? " " : ""), ($14 - pr) / ($1 - pt); pt = $1; pr = $14; n++}' "$csv")"
note "  prepared statements in the database server (all its clients): $(awk -F, '$2 == "soak" {if (!n++) a = $15; b = $15} END {print a " at the start, " b " at the end"}' "$csv")"
note "  open fds: min $fd_lo, max $fd_hi (start $s_fds, end $e_fds), of which sockets min $sock_lo, max $sock_hi (start $s_socks,"
note "  end $e_socks), epoll instances (transient) min $ep_lo, max $ep_hi, others min $ot_lo, max $ot_hi (start $s_other, end $e_other)"
note "  TCP to the database: min $db_lo, max $db_hi; from clients: min $cl_lo, max $cl_hi; threads: min $th_lo, max $th_hi"
note "  quiet, before the soak (5 s after the peak run): VmRSS $(mib "$p_rss") MiB, fds $p_fds, sockets $p_socks"
note "  quiet, after the soak (3 s): VmRSS $(mib "$i_rss") MiB, fds $i_fds, sockets $i_socks ($i_clients client, $i_db database)"
note "  data: $hazards_made hazards reported by the mix, $evidence_rows evidence rows, $stored files ($stored_mib MiB) in storage.dir;"
note "  hazard events not yet read by the credit consumer: $backlog_credit"
note "  server log: $log_errors error lines, $log_5xx answers 5xx"
[ "$log_errors" -eq 0 ] || note "  first error line: $(grep -m1 '"level":"error"' "$out/carewatch.log" | head -c 400)"

# ---------------------------------------------------------------- verdict
failures=()
[ "$bad" -eq 0 ] || failures+=("$bad answers other than 2xx/3xx (check, peak and soak runs)")
[ "$sock" -eq 0 ] || failures+=("$sock wrk socket errors (connect, read, write, timeout > ${timeout} s)")
[ "$growth" -le "$allowed" ] ||
  failures+=("VmRSS grew by $(mib "$growth") MiB from the start of the soak to its end (allowed $(mib "$allowed") MiB)")
[ "$e_socks" -le $((s_socks + fd_slack)) ] ||
  failures+=("sockets under load grew from $s_socks to $e_socks over the soak (slack $fd_slack)")
[ "$e_other" -le $((s_other + fd_slack)) ] ||
  failures+=("fds other than sockets and epoll instances grew from $s_other to $e_other over the soak (slack $fd_slack)")
[ "$i_fds" -le $((p_fds + fd_slack)) ] ||
  failures+=("open fds when quiet grew from $p_fds before the soak to $i_fds after it (slack $fd_slack)")
[ "$i_socks" -le $((p_socks + fd_slack)) ] ||
  failures+=("sockets when quiet grew from $p_socks before the soak to $i_socks after it (slack $fd_slack)")
rate_ok=$(awk -v a="$achieved" -v t="$target" 'BEGIN {print (a >= 0.9 * t) ? 1 : 0}')
note ""
[ "$rate_ok" = 1 ] || note "WARNING: the soak achieved $achieved requests/s, under 90 % of the $target asked: the server (or wrk) could not hold the rate"
note "Total run time $(( $(date +%s) - started )) s; load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
if [ ${#failures[@]} -eq 0 ]; then
  note "VERDICT: PASS — 0 errors in $(( $(awk '$1 == "completed" {s += $2} END {print s}' "$out"/wrk-{check,peak,soak}.txt) )) requests;\
 VmRSS $(mib "$s_rss") -> $(mib "$m_rss") -> $(mib "$e_rss") MiB (growth $(mib "$growth"), allowed $(mib "$allowed"));\
 fds $s_fds -> $e_fds under load, $p_fds -> $i_fds quiet; sockets $s_socks -> $e_socks, $p_socks -> $i_socks"
  exit 0
fi
note "VERDICT: FAIL"
for f in "${failures[@]}"; do note "  - $f"; done
exit 1
