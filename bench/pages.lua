-- wrk script: each connection is one signed-in coordinator (its own session cookie),
-- requesting the worklist or case pages. Set by bench/run.sh through the environment:
--   BENCH_COOKIES  space-separated session ids, one per wrk thread
--   BENCH_MODE     worklist | case | mixed
--   BENCH_FIRST, BENCH_LAST  the range of case ids
local cookies = {}
for c in string.gmatch(os.getenv("BENCH_COOKIES") or "", "%S+") do table.insert(cookies, c) end
local mode = os.getenv("BENCH_MODE") or "mixed"
local first = tonumber(os.getenv("BENCH_FIRST") or "1")
local last = tonumber(os.getenv("BENCH_LAST") or "1")
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("cookie", cookies[((counter - 1) % #cookies) + 1])
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(id * 7919)
  wrk.headers["Cookie"] = "sessionid=" .. cookie
end

function request()
  local worklist = mode == "worklist" or (mode == "mixed" and math.random() < 0.5)
  local path
  if worklist then
    local page = math.random(1, 20)
    path = page == 1 and "/cases/" or ("/cases/?page=" .. page)
  else
    path = "/cases/" .. math.random(first, last) .. "/"
  end
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"mode": "%s", "requests": %d, "seconds": %.1f, "rps": %.1f, "errors": %d, ' ..
    '"non_2xx": %d, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "max_ms": %.1f}\n',
    mode, summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    errors, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
