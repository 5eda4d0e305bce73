-- bench/province/mixed.lua - wrk's script for the province's mixed load (measure.py runs
-- `wrk -t N -c N -s mixed.lua`: one connection per thread, so a thread is one client with its own
-- Lua state). MIXED_DATA names the Lua file measure.py writes: `reads` (path and Cookie header
-- of each read) and `jobs` (each client's record and target, their versions, cookies and CSRF
-- tokens). 80 % reads drawn at random; 20 % writes, half record saves (PUT /api/v1/my/records/ID
-- as its officer), half directory edits (PUT /api/v1/targets/ID as the county's staff), each
-- with the version its last save returned. done() prints one line `MIXED {json}` of counts.
dofile(os.getenv("MIXED_DATA"))

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local job, last, n
counts = {}

local function count(kind, outcome)
  local k = kind .. "|" .. outcome
  counts[k] = (counts[k] or 0) + 1
end

function init(args)
  job = jobs[((id - 1) % #jobs) + 1]
  math.randomseed(id * 7919)
  n = 0
end

function request()
  n = n + 1
  local x = math.random()
  if x >= 0.8 and not job.rec and not job.dir then
    x = 0.0 -- a client without a row of its own only reads
  elseif x >= 0.8 and not job.rec then
    x = 0.95
  elseif x >= 0.8 and not job.dir then
    x = 0.85
  end
  if x < 0.8 then
    last = "read"
    local r = reads[math.random(#reads)]
    return wrk.format("GET", r.path, { Cookie = r.cookie })
  elseif x < 0.9 then
    last = "record save"
    local body = string.gsub(job.rec_body, "__VERSION__", tostring(job.rec_version))
    body = string.gsub(body, "__NOTE__", "负载测试 " .. id .. "-" .. n)
    return wrk.format("PUT", "/api/v1/my/records/" .. job.rec,
      { Cookie = job.officer_cookie, ["X-CSRF-Token"] = job.officer_csrf,
        ["Content-Type"] = "application/json" }, body)
  else
    last = "directory edit"
    local body = '{"version":' .. job.dir_version .. ',"address":"负载测试地址' .. id .. "-" .. n .. '号"}'
    return wrk.format("PUT", "/api/v1/targets/" .. job.dir,
      { Cookie = job.staff_cookie, ["X-CSRF-Token"] = job.staff_csrf,
        ["Content-Type"] = "application/json" }, body)
  end
end

function response(status, headers, body)
  local outcome
  if status == 503 or (body and string.find(body, "数据库忙", 1, true)) then
    outcome = "busy"
  elseif status == 200 or status == 201 then
    outcome = "ok"
    if last ~= "read" then
      local v = string.match(body, '"version":(%d+)')
      if v and last == "record save" then job.rec_version = tonumber(v) end
      if v and last == "directory edit" then job.dir_version = tonumber(v) end
    end
  elseif status == 409 then
    outcome = "conflict"
  else
    outcome = "http " .. status
  end
  count(last, outcome)
end

function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    local c = t:get("counts")
    for k, v in pairs(c) do all[k] = (all[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(all) do table.insert(parts, string.format('"%s":%d', k, v)) end
  local e = summary.errors
  io.write(string.format(
    'MIXED {"counts":{%s},"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d}}\n',
    table.concat(parts, ","), summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    e.status))
end
