/**
 * Lua scripts of the Redis store: the same bucketed sliding window as `window.ts`, run atomically on the
 * server with the server's clock (so that every process shares one time). Numbers are returned as strings:
 * Redis truncates Lua numbers to integers.
 */

const SUM = `
local function sum_at(all, at, window_ms)
  local w = window_ms / 100
  local start = at - window_ms
  local s = 0
  for j = 1, #all, 2 do
    local i = tonumber(all[j])
    local a = tonumber(all[j + 1])
    local e = (i + 1) * w
    if e > start then
      local b = i * w
      if b >= start then s = s + a else s = s + a * (e - start) / w end
    end
  end
  return s
end
`;

/** KEYS: one hash per window, then the concurrency key. ARGV: n, then name, windowMs, limit, amount per window, then concurrent limit (-1 for none), concurrency TTL. */
export const RESERVE = `${SUM}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
for k = 1, n do
  local key = KEYS[k]
  local window_ms = tonumber(ARGV[2 + (k - 1) * 4 + 1])
  local limit = tonumber(ARGV[2 + (k - 1) * 4 + 2])
  local amount = tonumber(ARGV[2 + (k - 1) * 4 + 3])
  local all = redis.call('HGETALL', key)
  local start = now - window_ms
  local w = window_ms / 100
  local expired = {}
  for j = 1, #all, 2 do
    if (tonumber(all[j]) + 1) * w <= start then table.insert(expired, all[j]) end
  end
  if #expired > 0 then redis.call('HDEL', key, unpack(expired)) end
  local current = sum_at(all, now, window_ms)
  if current + amount > limit + 1e-9 then
    local retry = -1
    if amount <= limit then
      local idx = {}
      for j = 1, #all, 2 do table.insert(idx, tonumber(all[j])) end
      table.sort(idx)
      retry = window_ms
      for _, i in ipairs(idx) do
        local at = (i + 1) * w + window_ms
        if at > now and sum_at(all, at, window_ms) + amount <= limit + 1e-9 then
          retry = math.ceil(at - now)
          break
        end
      end
    end
    return { '0', ARGV[2 + (k - 1) * 4], tostring(limit), tostring(current), tostring(amount), tostring(retry) }
  end
end
local climit = tonumber(ARGV[2 + n * 4])
local cttl = tonumber(ARGV[3 + n * 4])
local ckey = KEYS[n + 1]
if climit >= 0 then
  local inflight = tonumber(redis.call('GET', ckey) or '0')
  if inflight + 1 > climit then
    return { '0', 'concurrent', tostring(climit), tostring(inflight), '1', '-1' }
  end
  redis.call('INCR', ckey)
  redis.call('PEXPIRE', ckey, cttl)
end
for k = 1, n do
  local window_ms = tonumber(ARGV[2 + (k - 1) * 4 + 1])
  local amount = tonumber(ARGV[2 + (k - 1) * 4 + 3])
  local w = window_ms / 100
  local bucket = string.format('%d', math.floor(now / w))
  redis.call('HINCRBYFLOAT', KEYS[k], bucket, amount)
  redis.call('PEXPIRE', KEYS[k], math.ceil(window_ms + w))
end
return { '1', string.format('%d', now) }
`;

/** KEYS: one hash per window, then the concurrency key. ARGV: n, then windowMs, bucket, delta per window, then release (1/0). */
export const ADJUST = `
local n = tonumber(ARGV[1])
for k = 1, n do
  local window_ms = tonumber(ARGV[2 + (k - 1) * 3])
  local bucket = ARGV[3 + (k - 1) * 3]
  local delta = tonumber(ARGV[4 + (k - 1) * 3])
  if delta ~= 0 then
    local v = tonumber(redis.call('HINCRBYFLOAT', KEYS[k], bucket, delta))
    if v <= 1e-12 then redis.call('HDEL', KEYS[k], bucket) end
    if redis.call('PTTL', KEYS[k]) < 0 and redis.call('EXISTS', KEYS[k]) == 1 then
      redis.call('PEXPIRE', KEYS[k], math.ceil(window_ms + window_ms / 100))
    end
  end
end
if ARGV[2 + n * 3] == '1' then
  local c = tonumber(redis.call('DECR', KEYS[n + 1]))
  if c <= 0 then redis.call('DEL', KEYS[n + 1]) end
end
return 1
`;

/** KEYS: one hash per window, then the concurrency key. ARGV: n, then windowMs per window. */
export const CURRENT = `${SUM}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local out = {}
for k = 1, n do
  table.insert(out, tostring(sum_at(redis.call('HGETALL', KEYS[k]), now, tonumber(ARGV[1 + k]))))
end
table.insert(out, redis.call('GET', KEYS[n + 1]) or '0')
return out
`;
