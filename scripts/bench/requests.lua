-- wrk script for `make bench`: replays pre-built raw HTTP/1.1 requests.
--
-- The request file (path in the environment variable BENCH_REQUESTS) holds the requests
-- one after another, each preceded by a line with its length in bytes ("<len>\n<bytes>"),
-- the same format scripts/bench/loadgen (solicitudes-loadgen) reads. bench.py writes every header into those
-- bytes, the bearer token (`Authorization: Bearer …`) included, so this script adds none.
-- Thread k of T sends entries k, k+T, k+2T, … in order and starts over when it runs out, so
-- the threads never send the same entry twice unless the file is exhausted (bench.py sizes
-- write pools so that it is not).
--
-- At the end it prints one line "BENCH_JSON {...}" with wrk's own counters and latency
-- percentiles (microseconds), which bench.py parses.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  local path = os.getenv("BENCH_REQUESTS")
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  local all = {}
  local pos = 1
  while pos <= #data do
    local nl = string.find(data, "\n", pos, true)
    if not nl then break end
    local len = tonumber(string.sub(data, pos, nl - 1))
    all[#all + 1] = string.sub(data, nl + 1, nl + len)
    pos = nl + 1 + len
  end
  reqs = {}
  if #all < nthreads then
    -- Fewer entries than threads (a fixed URL): every thread sends all of them.
    reqs = all
  else
    for i = 1, #all do
      if (i - 1) % nthreads == tid then
        reqs[#reqs + 1] = all[i]
      end
    end
  end
  idx = 0
  wrapped = 0
end

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wrapped = wrapped + 1
  end
  return reqs[idx]
end

function done(summary, latency, requests)
  local wraps = 0
  for _, t in ipairs(threads) do
    wraps = wraps + (t:get("wrapped") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"wrapped": %d, "latency_us": {"p50": %.1f, "p90": %.1f, "p99": %.1f, "p99_9": %.1f, ' ..
    '"max": %.1f, "mean": %.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, wraps,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean))
end
