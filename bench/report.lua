-- SPDX-License-Identifier: ISC
-- The done() every bench script shares: one JSON line on standard output
-- with the request count, duration, non-2xx and socket errors, and latency
-- percentiles in milliseconds (wrk measures microseconds).
function done(summary, latency, requests)
  local socket_errors = summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests":%d,"duration_s":%.3f,"non_2xx":%d,"socket_errors":%d,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"rps":%.1f}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    socket_errors, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.requests / (summary.duration / 1e6)))
end
