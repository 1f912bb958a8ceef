-- SPDX-License-Identifier: ISC
-- POST /api/auth/login/ for one user, BENCH_EMAIL with password BENCH_PASSWORD.
-- The request never changes, so wrk builds it once.
dofile(os.getenv("BENCH_LIB") .. "/report.lua")
wrk.method = "POST"
wrk.path = "/api/auth/login/"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '","password":"' ..
  os.getenv("BENCH_PASSWORD") .. '"}'
