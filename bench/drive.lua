-- The load driver's script for wrk (bench/load.py writes the requests and reads the result).
--
-- BENCH_ITEMS names a file of requests, one per line: METHOD <tab> PATH <tab> JSON body (may be
-- empty). Thread n of N takes lines n, n+N, n+2N…; BENCH_CYCLE=1 starts over at the end,
-- otherwise a thread stops when its lines run out (a booking must not repeat a slot). wrk calls
-- request() once before the run to check it, so thread 0's first line is taken but never sent.
-- With BENCH_BODIES set, thread n appends the body of every 2xx answer to BENCH_BODIES.n, one per
-- line, so that the rows in the database can be matched to the answers the clients received.
-- done() prints one JSON line: requests, seconds, p50/p99 in ms, socket errors, status counts,
-- how many lines were used and whether any thread ran out.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  items, counts, index, exhausted = {}, {}, 0, 0
  cycle = os.getenv("BENCH_CYCLE") == "1"
  local every, line_number = tonumber(os.getenv("BENCH_THREADS")), 0
  for line in io.lines(os.getenv("BENCH_ITEMS")) do
    if line_number % every == id then
      local method, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      table.insert(items, {method, path, body})
    end
    line_number = line_number + 1
  end
  wrk.headers["Content-Type"] = "application/json"
  local bodies = os.getenv("BENCH_BODIES")
  if bodies and bodies ~= "" then
    out = io.open(bodies .. "." .. id, "w")
  end
end

function request()
  index = index + 1
  if index > #items then
    if cycle and #items > 0 then
      index = 1
    else
      -- Out of requests (or none at all): stop, and answer wrk with a request that changes
      -- nothing; response() no longer counts what comes back.
      exhausted = 1
      index = #items
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
  end
  local item = items[index]
  if item[3] == "" then
    return wrk.format(item[1], item[2])
  end
  return wrk.format(item[1], item[2], nil, item[3])
end

function response(status, headers, body)
  if exhausted == 1 then
    return
  end
  counts[tostring(status)] = (counts[tostring(status)] or 0) + 1
  if out and status >= 200 and status < 300 then
    out:write((body:gsub("\n", " ")), "\n")
    out:flush()  -- wrk exits without closing the threads' files
  end
end

function done(summary, latency, requests)
  local statuses, used, ran_out = {}, 0, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      statuses[status] = (statuses[status] or 0) + n
    end
    used = used + thread:get("index")
    ran_out = math.max(ran_out, thread:get("exhausted"))
  end
  local parts = {}
  for status, n in pairs(statuses) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "p50": %.3f, "p99": %.3f, "socket_errors": %d, "used": %d, ' ..
    '"exhausted": %s, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    errors.connect + errors.read + errors.write + errors.timeout, used, ran_out == 1 and "true" or "false",
    table.concat(parts, ", ")))
end
