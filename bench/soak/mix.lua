-- wrk script of the soak (bench/soak/run.sh): a weighted mix of reads, writes and evidence uploads, optionally
-- paced to a fixed total rate, with every answer counted per request kind and status class.
--
-- run.sh always runs wrk with as many threads as connections (-tN -cN): each thread then has one connection and at
-- most one request in flight, so the answer that response() sees belongs to the request that request() built last,
-- and the kind of every answer is known.
--
-- Environment (set by run.sh):
--   CW_SOAK_TOKEN_OFFICER, CW_SOAK_TOKEN_BUREAU, CW_SOAK_TOKEN_INSTITUTION, CW_SOAK_TOKEN_INSPECTOR   bearer tokens
--   CW_SOAK_ME_TOKENS      comma-separated tokens that GET /api/v1/auth/me cycles through
--   CW_SOAK_INSTITUTION    id of the institution of CW_SOAK_TOKEN_INSTITUTION (康乐养老院)
--   CW_SOAK_ENTITIES       comma-separated credit codes for the credit check
--   CW_SOAK_RATE           total requests/s over all connections (0 or unset: as fast as the server answers)
--   CW_SOAK_CONNECTIONS    the -c (= -t) value, to split the rate between the threads
--   CW_SOAK_UPLOAD_BYTES   size of each evidence file (default 16384)
--   CW_SOAK_FILES_PER_HAZARD  uploads per hazard before the next one is used (default 25; the server allows 30)
--   CW_SOAK_PHASE          a tag written into every file, so phases and runs never upload the same bytes
--   CW_SOAK_KINDS          optional, comma-separated kind names: only these kinds, with their weights (to isolate
--                          a problem; evidence_upload still reports a self-check when it has no hazard to upload to)
--
-- Uploads are distinct on purpose: the PNG signature, then 32 bytes naming the phase, the thread and a per-thread
-- counter, then per-thread random bytes. The content-addressed store therefore grows by one file per upload for
-- the whole run instead of deduplicating. An upload goes to the newest self-check hazard its thread reported (the
-- self_check kind below) until that hazard holds CW_SOAK_FILES_PER_HAZARD files; with no such hazard yet (at the
-- start of a thread) the upload slot reports a self-check instead.

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then return default end
  return v
end

local function split(s)
  local out = {}
  for item in string.gmatch(s or "", "[^,]+") do out[#out + 1] = item end
  return out
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~=&]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local officer = env("CW_SOAK_TOKEN_OFFICER")
local bureau = env("CW_SOAK_TOKEN_BUREAU")
local institution = env("CW_SOAK_TOKEN_INSTITUTION")
local inspector = env("CW_SOAK_TOKEN_INSPECTOR")
local me_tokens = split(env("CW_SOAK_ME_TOKENS", ""))
local institution_id = tonumber(env("CW_SOAK_INSTITUTION", "0"))
local entities = split(env("CW_SOAK_ENTITIES", ""))
local rate = tonumber(env("CW_SOAK_RATE", "0"))
local connections = tonumber(env("CW_SOAK_CONNECTIONS", "1"))
local upload_bytes = tonumber(env("CW_SOAK_UPLOAD_BYTES", "16384"))
local files_per_hazard = tonumber(env("CW_SOAK_FILES_PER_HAZARD", "25"))
local phase = string.sub(env("CW_SOAK_PHASE", "soak") .. string.rep("-", 12), 1, 12)

-- ------------------------------------------------------------------------------------------ the request kinds
-- Query variants, cycled through per kind.
local public_institution_queries = {"养老", "托育", "康乐", "九江市", "敬老院", "濂溪区"}
local public_list_paths = {"/api/v1/public/credit/lists/blacklist?page_size=20",
                           "/api/v1/public/credit/lists/redlist?page_size=20"}
local search_queries = {"q=养老&page_size=20", "q=托育&page_size=20", "region=360402&page_size=20",
                        "kind=elderly_institution&page_size=20&page=2", "q=九江市&sort=name&page_size=20",
                        "filing_state=filed&sort=capacity&order=desc&page_size=20"}
local checks = {"subsidy", "procurement", "qualification", ""}
local general_codes = {"SS-01", "SS-04", "SS-06", "SS-11", "SS-12", "FI-01", "FI-03", "FI-06", "FO-01", "PH-02",
                       "BU-02", "GA-02"}

thread_id = 0         -- a global: setup() sets it in each thread's state (thread:set) before init()
local counter = 0     -- requests built by this thread
local seq = {}        -- per-kind counters for cycling through variants
local function nextof(kind, list)
  local n = (seq[kind] or (thread_id * 7)) + 1
  seq[kind] = n
  return list[n % #list + 1]
end

local function get(path, token)
  local headers = {}
  if token then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path, headers)
end

local function post_json(path, token, body)
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. token,
                                   ["Content-Type"] = "application/json"}, body)
end

-- Upload targets: the newest self-check hazard of this thread and how many files it has been sent.
local target_id, target_files = nil, 0
local boundary = "cwsoakboundary5e2c91"
local filler, tail

local function self_check()
  local code = nextof("self_check", general_codes)
  return post_json("/api/v1/hazards", institution, string.format(
      '{"institution_id":%d,"catalogue_code":"%s","title":"浸泡测试：机构自查 %d-%d",' ..
      '"description":"bench/soak 浸泡测试创建的自查隐患（线程 %d，第 %d 个请求）。","location":"二楼东侧"}',
      institution_id, code, thread_id, counter, thread_id, counter))
end

local kinds = {
  -- name, class, weight (per 100 requests), builder
  {"public_hazards", "read", 6, function() return get("/api/v1/public/hazards?page_size=20") end},
  {"public_hazard_stats", "read", 4, function() return get("/api/v1/public/hazards/stats") end},
  {"public_credit_lists", "read", 6, function() return get(nextof("public_credit_lists", public_list_paths)) end},
  {"public_institutions", "read", 6, function()
     return get("/api/v1/public/institutions?q=" .. urlencode(nextof("public_institutions", public_institution_queries)))
   end},
  {"public_ratings", "read", 6, function() return get("/api/v1/public/ratings?page_size=20") end},
  {"institution_search", "read", 12, function()
     return get("/api/v1/institutions?" .. urlencode(nextof("institution_search", search_queries)), officer)
   end},
  {"credit_check", "read", 16, function()
     local entity = nextof("credit_check_entity", entities)
     local action = nextof("credit_check_action", checks)
     return get("/api/v1/credit/check?entity=" .. entity .. (action ~= "" and "&action=" .. action or ""),
                (counter % 2 == 0) and bureau or officer)
   end},
  {"hazard_list", "read", 10, function()
     local n = (seq.hazard_list or thread_id) + 1
     seq.hazard_list = n
     local v = n % 4
     if v == 0 then return get("/api/v1/hazards?page_size=20", officer)
     elseif v == 1 then return get("/api/v1/hazards?state=open&page_size=20", officer)
     elseif v == 2 then return get("/api/v1/hazards?page_size=20", inspector)
     else return get("/api/v1/hazards?page_size=20", institution) end
   end},
  {"auth_me", "read", 14, function() return get("/api/v1/auth/me", nextof("auth_me", me_tokens)) end},
  {"self_check", "write", 8, self_check},
  {"inspection_report", "write", 7, function()
     local code = nextof("inspection_report", general_codes)
     return post_json("/api/v1/hazards", inspector, string.format(
         '{"institution_id":%d,"catalogue_code":"%s","title":"浸泡测试：检查发现 %d-%d",' ..
         '"description":"bench/soak 浸泡测试：监督检查发现的一般隐患。","location":"厨房"}',
         institution_id, code, thread_id, counter))
   end},
  {"evidence_upload", "upload", 5, nil},  -- built in request(): it needs the thread's upload target
}

local all_kinds = kinds
local only = env("CW_SOAK_KINDS")
if only then
  local wanted, kept = {}, {}
  for _, name in ipairs(split(only)) do wanted[name] = true end
  for _, k in ipairs(kinds) do
    if wanted[k[1]] then kept[#kept + 1] = k; wanted[k[1]] = nil end
  end
  local unknown = next(wanted)
  assert(unknown == nil, "CW_SOAK_KINDS names an unknown kind: " .. tostring(unknown))
  assert(#kept > 0, "CW_SOAK_KINDS keeps no kind")
  kinds = kept
end

local by_name, total_weight = {}, 0
for _, k in ipairs(kinds) do
  by_name[k[1]] = k
  total_weight = total_weight + k[3]
end

-- ------------------------------------------------------------------------------------------ pacing
-- A per-thread schedule of send times, one every connections / rate seconds; delay() waits for the next slot.
-- A thread more than 2 s behind its schedule (the server could not keep up) drops the backlog rather than
-- bursting, and counts the slots it dropped ("late").
local now
do
  local ok, ffi = pcall(require, "ffi")
  if ok then
    ffi.cdef [[
      typedef struct { long tv_sec; long tv_nsec; } cw_soak_timespec;
      int clock_gettime(int clk_id, cw_soak_timespec *tp);
    ]]
    local ts = ffi.new("cw_soak_timespec")
    now = function()
      ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
      return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) * 1e-9
    end
  end
end
local interval = 0
if rate > 0 then
  assert(now, "pacing needs LuaJIT's ffi (wrk built with LuaJIT)")
  interval = connections / rate
end
local next_slot = nil
late = 0

if interval > 0 then
  function delay()
    local t = now()
    if next_slot == nil then next_slot = t + math.random() * interval end  -- stagger the threads
    local wait = next_slot - t
    next_slot = next_slot + interval
    if wait < -2 then
      late = late + math.floor(-wait / interval)
      next_slot = t + interval
      return 0
    end
    if wait <= 0 then return 0 end
    return math.floor(wait * 1000 + 0.5)
  end
end

-- ------------------------------------------------------------------------------------------ wrk hooks
local threads = {}
local setups = 0
function setup(thread)
  setups = setups + 1
  thread:set("thread_id", setups)
  table.insert(threads, thread)
end

local classes = {"2xx", "3xx", "4xx", "5xx", "other"}
local names = {}  -- names[kind][class] = the global counter's name
for _, k in ipairs(all_kinds) do
  names[k[1]] = {}
  for _, c in ipairs(classes) do
    local g = "n_" .. k[1] .. "_" .. c
    names[k[1]][c] = g
    _G[g] = 0
  end
end

local last_kind = nil
function init(args)
  math.randomseed(os.time() * 1000 + thread_id * 7919)
  local bytes = {}
  for i = 1, math.max(upload_bytes - 8 - 32, 0) do bytes[i] = string.char(math.random(0, 255)) end
  filler = table.concat(bytes)
  tail = "\r\n--" .. boundary .. "--\r\n"
end

local function upload()
  target_files = target_files + 1
  local name = string.format("soak-%d-%d.png", thread_id, counter)
  local body = "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="file"; filename="' .. name .. '"\r\n' ..
      "Content-Type: image/png\r\n\r\n" ..
      "\137PNG\r\n\26\n" .. phase .. string.format("%06d%014d", thread_id, counter) .. filler .. tail
  return wrk.format("POST", "/api/v1/hazards/" .. target_id .. "/evidence", {
    ["Authorization"] = "Bearer " .. institution,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end

function request()
  counter = counter + 1
  local pick = math.random() * total_weight
  local kind
  for _, k in ipairs(kinds) do
    pick = pick - k[3]
    if pick < 0 then kind = k break end
  end
  kind = kind or kinds[#kinds]
  if kind[1] == "evidence_upload" then
    if target_id ~= nil and target_files < files_per_hazard then
      last_kind = "evidence_upload"
      return upload()
    end
    kind = {"self_check", "write", 0, self_check}
  end
  last_kind = kind[1]
  return kind[4]()
end

function response(status, headers, body)
  local kind = last_kind
  if kind == nil then return end
  last_kind = nil
  local c = status >= 200 and status < 300 and "2xx" or status >= 300 and status < 400 and "3xx" or
            status >= 400 and status < 500 and "4xx" or status >= 500 and status < 600 and "5xx" or "other"
  local g = names[kind][c]
  _G[g] = _G[g] + 1
  if c ~= "2xx" and c ~= "3xx" then
    local e = "e_" .. kind
    if _G[e] == nil then _G[e] = status .. " " .. string.gsub(string.sub(body or "", 1, 300), "[\r\n]", " ") end
  elseif kind == "self_check" and status == 201 then
    local id = string.match(body or "", '[{,]"id":(%d+)')
    if id then target_id, target_files = id, 0 end
  end
end

function done(summary, latency, requests)
  local lines = {}
  local total_bad, total_late = 0, 0
  for _, k in ipairs(all_kinds) do
    local sums = {}
    for _, c in ipairs(classes) do sums[c] = 0 end
    local first = nil
    for _, t in ipairs(threads) do
      for _, c in ipairs(classes) do sums[c] = sums[c] + (t:get(names[k[1]][c]) or 0) end
      first = first or t:get("e_" .. k[1])
    end
    local n = sums["2xx"] + sums["3xx"] + sums["4xx"] + sums["5xx"] + sums["other"]
    total_bad = total_bad + sums["4xx"] + sums["5xx"] + sums["other"]
    lines[#lines + 1] = string.format("kind %s %s %d 2xx %d 3xx %d 4xx %d 5xx %d other %d", k[1], k[2], n,
                                      sums["2xx"], sums["3xx"], sums["4xx"], sums["5xx"], sums["other"])
    if first then lines[#lines + 1] = "first_error " .. k[1] .. " " .. first end
  end
  for _, t in ipairs(threads) do total_late = total_late + (t:get("late") or 0) end
  local e = summary.errors
  lines[#lines + 1] = string.format("socket_errors connect %d read %d write %d timeout %d",
                                    e.connect, e.read, e.write, e.timeout)
  lines[#lines + 1] = string.format("bad_responses %d", total_bad)
  lines[#lines + 1] = string.format("completed %d duration_us %d bytes %d", summary.requests, summary.duration,
                                    summary.bytes)
  lines[#lines + 1] = string.format("latency_us p50 %d p90 %d p99 %d max %d", latency:percentile(50),
                                    latency:percentile(90), latency:percentile(99), latency.max)
  lines[#lines + 1] = string.format("paced rate %s late_slots %d", tostring(rate), total_late)
  io.write(table.concat(lines, "\n") .. "\n")
end
