-- SPDX-License-Identifier: ISC
-- GET /api/auth/me/ with the access token BENCH_ACCESS. The request never
-- changes, so wrk builds it once and the script runs no Lua per request.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
wrk.method = "GET"
wrk.path = "/api/auth/me/"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_ACCESS")
