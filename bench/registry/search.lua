-- wrk script for the registry directory benchmark (bench/registry/run.sh): GET requests cycling through the paths
-- listed one per line in the file named by CW_WRK_PATHS, each thread starting at a different line, signed in with
-- the bearer token in CW_WRK_TOKEN.
local paths = {}
for line in io.lines(os.getenv("CW_WRK_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("CW_WRK_TOKEN") }
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("start", counter * 7919)
end

local i = nil
function request()
  if i == nil then i = (start or 0) % #paths end
  i = i % #paths + 1
  return wrk.format("GET", paths[i], headers)
end
