-- wrk script of the traffic mix (benchmark/mix.py): each request is the next line of a file of pre-drawn URLs, sent
-- with the session cookie of the employee that line names, so every connection carries many employees' requests.
-- Arguments: <urls file> <cookies file> <first line> <threads>. A urls line is "<session number>\t<path>" (0-based);
-- a cookies line is one session's Cookie header. Thread n starts n/threads of the way into the file, plus
-- <first line>/threads, so rounds do not repeat each other's URLs. After the run, one JSON line: latencies in
-- microseconds, wrk's error counts (status: responses 400 and up) and the responses by status class.

local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  cookies = {}
  for line in io.lines(args[2]) do
    cookies[#cookies + 1] = line
  end
  paths, sessions = {}, {}
  for line in io.lines(args[1]) do
    local session, path = line:match("^(%d+)\t(.+)$")
    sessions[#sessions + 1] = tonumber(session) + 1
    paths[#paths + 1] = path
  end
  local count = tonumber(args[4])
  position = (math.floor(#paths * number / count) + math.floor(tonumber(args[3]) / count)) % #paths
  classes = {0, 0, 0, 0, 0}
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position], {["Cookie"] = cookies[sessions[position]]})
end

function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then
    classes[class] = classes[class] + 1
  end
end

done = function(summary, latency, requests)
  local by_class = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    local counted = thread:get("classes")
    for class = 1, 5 do
      by_class[class] = by_class[class] + counted[class]
    end
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"2xx": %d, "3xx": %d, "4xx": %d, "5xx": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    by_class[2], by_class[3], by_class[4], by_class[5]))
end
