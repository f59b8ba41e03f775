-- bench/messages.lua - wrk script of bench/messages.sh.
--
-- wrk -s bench/messages.lua URL -- MODE FILE [FILE]
--   post USERS TEXTS   POST /api/v1/groups/G/messages {"text":T}: USERS has
--                      "TOKEN GROUP" lines (a signed-in member and a group
--                      where they are an active member), TEXTS one JSON string
--                      a line; each request takes the next member (round
--                      robin) and the next text
--   search TOKEN WORDS GET /api/v1/messages/search?q=W&limit=20 with the
--                      bearer token in the file TOKEN, W the next line of
--                      WORDS (already URL-encoded)
-- done() prints "latency_us p50 p95 p99 max" (wrk --latency has no p95).

local mode
local users, texts, words = {}, {}, {}
local token
local n = 0
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

function init(args)
	mode = args[1]
	if mode == "post" then
		for line in io.lines(args[2]) do
			local t, g = line:match("^(%S+) (%d+)$")
			if t then users[#users + 1] = { "Bearer " .. t, "/api/v1/groups/" .. g .. "/messages" } end
		end
		for line in io.lines(args[3]) do texts[#texts + 1] = line end
	else
		token = "Bearer " .. io.open(args[2]):read("*l")
		for line in io.lines(args[3]) do words[#words + 1] = line end
	end
	-- threads start at different places of the lists
	n = (id or 1) * 7717
end

function request()
	n = n + 1
	if mode == "post" then
		local u = users[n % #users + 1]
		return wrk.format("POST", u[2], { ["Content-Type"] = "application/json", ["Authorization"] = u[1] },
			'{"text":' .. texts[(n * 31) % #texts + 1] .. '}')
	end
	return wrk.format("GET", "/api/v1/messages/search?limit=20&q=" .. words[n % #words + 1],
		{ ["Authorization"] = token })
end

function done(summary, latency, requests)
	io.write(string.format("latency_us %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
		latency:percentile(99), latency.max))
end
