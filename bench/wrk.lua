-- wrk drives `make bench`'s turns: message activities POSTed to /api/messages, each with its
-- own id (the node drops a repeated id, as Teams needs), spread over the conversations.
-- Arguments: the activity template file (with @ID@ and @CONV@), a run id, conversations.
-- Prints one JSON line when done.

local template, run_id, conversations
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  template = file:read("*a")
  file:close()
  run_id = args[2]
  conversations = tonumber(args[3])
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  local id = run_id .. "-" .. number .. "-" .. counter
  local conversation = tostring((counter * 2 + number) % conversations)
  local body = template:gsub("@ID@", id):gsub("@CONV@", conversation)
  return wrk.format(nil, "/api/messages", nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
