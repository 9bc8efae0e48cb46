/**
 * Lua run atomically by Redis, so that two gateway instances checking the same key can never
 * both take the last slot. KEYS[1] is the key's hash for one window (fields r and t).
 * ARGV: rpm (-1 = unlimited), tpm (-1 = unlimited), tokens, ttl in ms.
 * Returns { allowed (1|0), requests, tokens, limitedBy (0 none, 1 requests, 2 tokens) }.
 */
export const ACQUIRE_SCRIPT = `
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0')
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
if rpm >= 0 and r + 1 > rpm then return {0, r, t, 1} end
if tpm >= 0 and t + n > tpm then return {0, r, t, 2} end
r = redis.call('HINCRBY', KEYS[1], 'r', 1)
t = redis.call('HINCRBY', KEYS[1], 't', n)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {1, r, t, 0}
`

/**
 * Adds ARGV[1] requests and ARGV[2] tokens (either may be negative) to an existing window,
 * never below zero. A window that expired stays gone.
 */
export const ADJUST_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local r = tonumber(redis.call('HGET', KEYS[1], 'r') or '0') + tonumber(ARGV[1])
local t = tonumber(redis.call('HGET', KEYS[1], 't') or '0') + tonumber(ARGV[2])
if r < 0 then r = 0 end
if t < 0 then t = 0 end
redis.call('HSET', KEYS[1], 'r', r, 't', t)
return 1
`
