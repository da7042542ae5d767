/**
 * An open-loop load generator: requests start at Poisson arrival times at a fixed mean rate, whether or not the
 * earlier ones have been answered, over a keep-alive pool of at most `connections` sockets.
 *
 * autocannon's `-R` is a per-second quota: every connection sends as fast as it can until the second's share is
 * used up, then waits for the next second (autocannon/lib/httpClient.js, `reqsMadeThisSecond`). Its "300
 * requests/s" is a burst at full concurrency for part of each second. This script gives the rate its plain
 * meaning. A latency is counted from the moment the request is handed to the socket pool, so a request that waited
 * for a free socket counts that wait. Timers fire up to a millisecond late; the schedule is not busy-polled, so the
 * generator leaves the CPU to the server it measures.
 *
 * Run: `node paced-load.mjs '<json>'` with { url, rate, seconds, body, headers, connections, seed }.
 * Prints one JSON line: { sent, failed, p50, p90, p99, max, rate }, latencies in ms.
 */
import http from 'node:http';

const { url, rate, seconds, body, headers, connections = 20, seed = 1 } = JSON.parse(process.argv[2] ?? '{}');
if (!url || !(rate > 0) || !(seconds > 0)) {
  process.stderr.write('usage: node paced-load.mjs \'{"url":…,"rate":300,"seconds":6,"body":"…"}\'\n');
  process.exit(2);
}

// mulberry32: the same seed gives the same arrival schedule, so two targets see the same load.
let state = seed >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const schedule = [];
for (let at = 0; ; ) {
  at += (-Math.log(1 - random()) / rate) * 1000;
  if (at > seconds * 1000) break;
  schedule.push(at);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const payload = Buffer.from(body ?? '');
const requestHeaders = { ...headers, 'content-length': String(payload.length) };
const latencies = [];
let failed = 0;

function send(onDone) {
  const req = http.request(
    target,
    { method: body ? 'POST' : 'GET', agent, headers: requestHeaders },
    (res) => {
      if (res.statusCode >= 400) failed++;
      res.resume();
      res.on('end', onDone);
    },
  );
  req.on('error', () => {
    failed++;
    onDone();
  });
  req.end(payload);
}

// Open the sockets first, so that connection setup is not part of the first requests' latency.
await Promise.all(Array.from({ length: connections }, () => new Promise((resolve) => send(resolve))));
failed = 0;

const start = performance.now();
let next = 0;
let pending = 0;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now() - start;
    while (next < schedule.length && schedule[next] <= now) {
      next++;
      pending++;
      const sentAt = performance.now();
      send(() => {
        latencies.push(performance.now() - sentAt);
        if (--pending === 0 && next === schedule.length) resolve();
      });
    }
    if (next === schedule.length) {
      if (pending === 0) resolve();
      return;
    }
    setTimeout(tick, Math.max(0, schedule[next] - (performance.now() - start)));
  };
  tick();
});
const elapsed = performance.now() - start;
agent.destroy();

latencies.sort((a, b) => a - b);
const at = (q) =>
  +(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(3);
process.stdout.write(
  `${JSON.stringify({
    sent: schedule.length,
    failed,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
    rate: +((schedule.length / elapsed) * 1000).toFixed(1),
  })}\n`,
);
