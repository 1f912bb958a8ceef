-- SPDX-License-Identifier: ISC
-- POST {"refresh": T} to BENCH_PATH, spending one refresh token from the
-- file BENCH_TOKENS (one a line) per request; thread i of BENCH_THREADS
-- takes lines i, i + BENCH_THREADS, ... so no token is sent twice. When
-- BENCH_ACCESS is set it goes in an Authorization header (for logout).
-- A thread that runs out sends "exhausted", which counts as a non-2xx.
-- Every request is formatted in init(), so a request costs wrk no more Lua
-- than returning the next string.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local requests = {}
local next_request = 1
local path, headers
local function spend(token)
  return wrk.format("POST", path, headers, '{"refresh":"' .. token .. '"}')
end
function init(args)
  local stride = tonumber(os.getenv("BENCH_THREADS"))
  local line_number = 0
  path = os.getenv("BENCH_PATH")
  headers = {["Content-Type"] = "application/json"}
  local access = os.getenv("BENCH_ACCESS")
  if access ~= nil and access ~= "" then
    headers["Authorization"] = "Bearer " .. access
  end
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line_number % stride == thread_id then
      requests[#requests + 1] = spend(line)
    end
    line_number = line_number + 1
  end
end
request = function()
  local formatted = requests[next_request]
  next_request = next_request + 1
  return formatted or spend("exhausted")
end
