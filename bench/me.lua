-- SPDX-License-Identifier: ISC
-- GET /api/auth/me/ with the access token BENCH_ACCESS.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_ACCESS")}
request = function()
  return wrk.format("GET", "/api/auth/me/", headers)
end
