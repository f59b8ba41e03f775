-- bench/demands.lua - wrk script of bench/demands.sh.
--
-- wrk -s bench/demands.lua URL -- raise TOKENS CATEGORIES TEXTS
--   POST /api/v1/demands {"category":C,"title":T,"description":D}: TOKENS has
--   one bearer token a line (signed-in residents, each of another village:
--   a resident raises about their own village, so no region is sent),
--   CATEGORIES one category code a line (GET /api/v1/demands/categories),
--   TEXTS one JSON object {"title":..,"description":..} a line (real
--   complaints); each request takes the next resident (round robin), the
--   next category (cycling) and the next text.
-- done() prints "latency_us p50 p95 p99 max" (wrk --latency has no p95).

local users, cats, texts = {}, {}, {}
local n = 0
local counter = 0

function setup(thread)
	counter = counter + 1
	thread:set("id", counter)
end

function init(args)
	if args[1] ~= "raise" then
		error("demands.lua: the only mode is 'raise'")
	end
	for line in io.lines(args[2]) do
		if #line > 0 then users[#users + 1] = "Bearer " .. line end
	end
	for line in io.lines(args[3]) do
		if #line > 0 then cats[#cats + 1] = line end
	end
	for line in io.lines(args[4]) do
		-- '{"title":...}' without its opening brace: the category goes first
		if #line > 1 then texts[#texts + 1] = line:sub(2) end
	end
	-- threads start at different places of the lists
	n = (id or 1) * 7717
end

function request()
	n = n + 1
	return wrk.format("POST", "/api/v1/demands",
		{ ["Content-Type"] = "application/json", ["Authorization"] = users[n % #users + 1] },
		'{"category":"' .. cats[n % #cats + 1] .. '",' .. texts[(n * 31) % #texts + 1])
end

function done(summary, latency, requests)
	io.write(string.format("latency_us %d %d %d %d\n", latency:percentile(50), latency:percentile(95),
		latency:percentile(99), latency.max))
end
