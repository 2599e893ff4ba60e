-- wrk script: POST one JSON body with optional headers, and print a machine-readable summary.
--   BENCH_BODY     the request body (default: the tutorial's sample request)
--   BENCH_HEADERS  extra headers, one "Name: value" per line (e.g. "Authorization: Bearer KEY")
-- done() prints one line "BENCH_JSON {...}" with latency percentiles in microseconds, which
-- bench/lib/wrk.mjs parses; wrk's own text report is kept in the results for reference.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY") or '{"data": [[1,2,3,4,5,6,7,8,9,10],[10,9,8,7,6,5,4,3,2,1]]}'
wrk.headers["Content-Type"] = "application/json"
local extra = os.getenv("BENCH_HEADERS") or ""
for line in extra:gmatch("[^\n]+") do
  local name, value = line:match("^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
