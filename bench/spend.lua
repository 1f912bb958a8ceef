-- SPDX-License-Identifier: ISC
-- POST {"refresh": T} to BENCH_PATH, spending one refresh token from the
-- file BENCH_TOKENS (one a line) per request; thread i of BENCH_THREADS
-- takes lines i, i + BENCH_THREADS, ... so no token is sent twice. When
-- BENCH_ACCESS is set it goes in an Authorization header (for logout).
-- A thread that runs out sends "exhausted", which counts as a non-2xx.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local tokens = {}
local next_token = 1
local path, headers
function init(args)
  local stride = tonumber(os.getenv("BENCH_THREADS"))
  local line_number = 0
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    if line_number % stride == thread_id then
      tokens[#tokens + 1] = line
    end
    line_number = line_number + 1
  end
  path = os.getenv("BENCH_PATH")
  headers = {["Content-Type"] = "application/json"}
  local access = os.getenv("BENCH_ACCESS")
  if access ~= nil and access ~= "" then
    headers["Authorization"] = "Bearer " .. access
  end
end
request = function()
  local token = tokens[next_token] or "exhausted"
  next_token = next_token + 1
  return wrk.format("POST", path, headers, '{"refresh":"' .. token .. '"}')
end
