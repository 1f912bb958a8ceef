-- SPDX-License-Identifier: ISC
-- POST /api/auth/register/ with a new email on every request. The prefix
-- contains the thread number and the start time, so runs and threads never
-- collide on an email.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end
local counter = 0
local prefix
function init(args)
  prefix = string.format("%d-%d-%d", os.time(), thread_id, math.random(1, 1e9))
end
request = function()
  counter = counter + 1
  local body = '{"email":"bench-' .. prefix .. '-' .. counter ..
    '@example.com","password":"' .. os.getenv("BENCH_PASSWORD") .. '"}'
  return wrk.format("POST", "/api/auth/register/",
    {["Content-Type"] = "application/json"}, body)
end
