/**
 * Lua scripts of the Redis store: the same bucketed sliding window as `window.ts`, run atomically on the
 * server with the server's clock (so that every process shares one time). Numbers are returned as strings:
 * Redis truncates Lua numbers to integers.
 */

import { CONCURRENCY_RETRY_MS } from './store.js';

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

const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** How long a reservation stays "open" (settle-able, cancel-able) when no settle comes: 24 h. */
const OPEN_TTL_MS = 86_400_000;

/**
 * KEYS: one hash per window, then the lease set, then the open-reservations hash. ARGV: n, then name,
 * windowMs, limit, amount per window, then the concurrency limit (-1 for none), lease ms, reservation id.
 */
export const RESERVE = `${SUM}${NOW}
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
local lease_ms = tonumber(ARGV[3 + n * 4])
local id = ARGV[4 + n * 4]
local leases = KEYS[n + 1]
if climit >= 0 then
  redis.call('ZREMRANGEBYSCORE', leases, '-inf', now)
  local live = redis.call('ZCARD', leases)
  if live + 1 > climit then
    return { '0', 'concurrent', tostring(climit), tostring(live), '1', '${CONCURRENCY_RETRY_MS}' }
  end
  redis.call('ZADD', leases, now + lease_ms, id)
  redis.call('PEXPIRE', leases, lease_ms * 2)
end
for k = 1, n do
  local window_ms = tonumber(ARGV[2 + (k - 1) * 4 + 1])
  local amount = tonumber(ARGV[2 + (k - 1) * 4 + 3])
  local w = window_ms / 100
  local bucket = string.format('%d', math.floor(now / w))
  redis.call('HINCRBYFLOAT', KEYS[k], bucket, amount)
  redis.call('PEXPIRE', KEYS[k], math.ceil(window_ms + w))
end
redis.call('HSET', KEYS[n + 2], id, string.format('%d', now))
redis.call('PEXPIRE', KEYS[n + 2], ${OPEN_TTL_MS})
return { '1', string.format('%d', now) }
`;

/**
 * KEYS: one hash per window, then the lease set, then the open-reservations hash. ARGV: n, then windowMs and
 * delta per window, then the reservation id. Idempotent: only an open reservation is settled, in the buckets
 * of the moment it was made (recorded by RESERVE, so that a reserve whose client gave up can be cancelled).
 */
export const SETTLE = `
local n = tonumber(ARGV[1])
local id = ARGV[2 + n * 2]
local at = redis.call('HGET', KEYS[n + 2], id)
if not at then return 0 end
redis.call('HDEL', KEYS[n + 2], id)
at = tonumber(at)
for k = 1, n do
  local window_ms = tonumber(ARGV[2 + (k - 1) * 2])
  local delta = tonumber(ARGV[3 + (k - 1) * 2])
  if delta ~= 0 then
    local bucket = string.format('%d', math.floor(at / (window_ms / 100)))
    local v = tonumber(redis.call('HINCRBYFLOAT', KEYS[k], bucket, delta))
    if v <= 1e-12 then redis.call('HDEL', KEYS[k], bucket) end
    if redis.call('PTTL', KEYS[k]) < 0 and redis.call('EXISTS', KEYS[k]) == 1 then
      redis.call('PEXPIRE', KEYS[k], math.ceil(window_ms + window_ms / 100))
    end
  end
end
redis.call('ZREM', KEYS[n + 1], id)
return 1
`;

/** KEYS: the lease set. ARGV: reservation id, lease ms. Extends a live lease; a lapsed one stays lapsed. */
export const RENEW = `${NOW}
local lease_ms = tonumber(ARGV[2])
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) <= now then return 0 end
redis.call('ZADD', KEYS[1], 'XX', now + lease_ms, ARGV[1])
if redis.call('PTTL', KEYS[1]) < lease_ms * 2 then redis.call('PEXPIRE', KEYS[1], lease_ms * 2) end
return 1
`;

/** KEYS: one hash per window, then the lease set. ARGV: n, then windowMs per window. */
export const CURRENT = `${SUM}${NOW}
local n = tonumber(ARGV[1])
local out = {}
for k = 1, n do
  table.insert(out, tostring(sum_at(redis.call('HGETALL', KEYS[k]), now, tonumber(ARGV[1 + k]))))
end
table.insert(out, tostring(redis.call('ZCOUNT', KEYS[n + 1], '(' .. now, '+inf')))
return out
`;
