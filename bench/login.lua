-- SPDX-License-Identifier: ISC
-- POST /api/auth/login/ for one user, BENCH_EMAIL with password BENCH_PASSWORD.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"' ..
  os.getenv("BENCH_PASSWORD") .. '"}'
request = function()
  return wrk.format("POST", "/api/auth/login/",
    {["Content-Type"] = "application/json"}, body)
end
