-- wrk script for the concurrent evidence upload benchmark (bench/hazards/run.sh): every request POSTs a distinct
-- PNG-like file (the PNG signature, then CW_WRK_FILE_BYTES - 8 pseudo-random bytes, of which 16 carry the thread
-- and a per-thread counter, so no two uploads of a run have the same content) as multipart/form-data to
-- /api/v1/hazards/<id>/evidence, cycling through the hazard ids in CW_WRK_HAZARDS (comma-separated; each hazard
-- takes at most hazards.max_evidence_files files). Signed in with the bearer token in CW_WRK_TOKEN.
-- A response other than 201 (created) counts as an error; done() prints the counts and the first error's body.
local token = os.getenv("CW_WRK_TOKEN")
local size = tonumber(os.getenv("CW_WRK_FILE_BYTES") or "51200")
local ids = {}
for id in string.gmatch(os.getenv("CW_WRK_HAZARDS") or "", "%d+") do ids[#ids + 1] = id end
local boundary = "cwbenchboundary7d1f3a"

local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

local head, tail, filler
local counter = 0
created, other, first_error = 0, 0, nil  -- globals: done() reads them with thread:get

function init(args)
  math.randomseed(os.time() * 100 + tid)
  local bytes = {}
  for i = 1, size - 8 - 16 do bytes[i] = string.char(math.random(0, 255)) end
  filler = table.concat(bytes)
  tail = "\r\n--" .. boundary .. "--\r\n"
end

function request()
  counter = counter + 1
  local id = ids[(counter * 2 + tid) % #ids + 1]
  local name = string.format("photo-%d-%d.png", tid, counter)
  local body = "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="file"; filename="' .. name .. '"\r\n' ..
      "Content-Type: image/png\r\n\r\n" ..
      "\137PNG\r\n\26\n" .. string.format("%04d%012d", tid, counter) .. filler .. tail
  return wrk.format("POST", "/api/v1/hazards/" .. id .. "/evidence", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
  }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if first_error == nil then first_error = status .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local c, o, e = 0, 0, nil
  for _, t in ipairs(threads) do
    c = c + (t:get("created") or 0)
    o = o + (t:get("other") or 0)
    e = e or t:get("first_error")
  end
  io.write(string.format("created %d\nnot_created %d\n", c, o))
  if e then io.write("first_error " .. string.gsub(e, "\n", " ") .. "\n") end
end
