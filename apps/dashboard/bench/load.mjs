#!/usr/bin/env node
// Load check for the dashboard (issue 6): publishers at --rate msg/s for --seconds into a real broker,
// the built dashboard open in headless Chromium. Prints frames per second, long tasks, mounted rows,
// JS heap and counts. A benchmark: it prints figures and asserts nothing.
//
//   pnpm build && node apps/dashboard/bench/load.mjs [--rate 500] [--seconds 60] [--retain 10000]
//
/* global requestAnimationFrame -- the probes below run in the page */
// Targets from the issue: >= 55 fps, no task > 50 ms, < 200 rows mounted, heap growth <= 50 MB.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createBroker, hashPassword } from '@firehose/broker';
import { connect } from '@firehose/client';
import { chromiumLaunchOptions } from '@firehose/test-support/chromium';
import { chromium } from 'playwright-core';
import { startDashboardServer } from '../server.mjs';
import { sampleAccounts, sampleTraffic } from './sample-traffic.mjs';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '60' },
    retain: { type: 'string', default: '10000' },
    chromium: { type: 'string' },
    profile: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const appDir = fileURLToPath(new URL('..', import.meta.url));

const log = (line) => console.log(`load: ${line}`);

if (values.chromium !== undefined && !existsSync(values.chromium))
  throw new Error(`Chromium not found at ${values.chromium}; install it or pass --chromium PATH.`);
// Before the build: without Chromium this stops at once, saying how to install it.
const launchOptions = chromiumLaunchOptions(
  values.chromium === undefined ? {} : { executablePath: values.chromium },
);

const outDir = mkdtempSync(join(tmpdir(), 'firehose-dashboard-'));
execFileSync(
  process.execPath,
  [
    join(appDir, 'node_modules/vite/bin/vite.js'),
    'build',
    '--outDir',
    outDir,
    '--logLevel',
    'warn',
    ...(values.profile ? ['--minify', 'false'] : []),
  ],
  {
    cwd: appDir,
    stdio: 'inherit',
  },
);

const password = await hashPassword('pw');
const broker = await createBroker({
  listeners: { mqtt: { host: '127.0.0.1', port: 0 }, ws: { host: '127.0.0.1', port: 0 } },
  accounts: Object.fromEntries(
    Object.entries(sampleAccounts).map(([name, write]) => [name, { password, write }]),
  ),
  catalogue: { interval: 5 },
  sys: { interval: 5 },
});
await broker.listen();
// No history: the load check measures live rendering only.
const server = await startDashboardServer({
  port: 0,
  broker: broker.url('ws'),
  history: 'off',
  root: outDir,
});
const browser = await chromium.launch(launchOptions);
const publishers = {};
for (const account of Object.keys(sampleAccounts)) {
  publishers[account] = await connect(broker.url('mqtt'), {
    username: account,
    password: 'pw',
    clientId: `load-${account}`,
  });
}

const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
// Frame and long-task probes installed before the app's own code runs.
await page.addInitScript(() => {
  const probe = { frames: [], longTasks: [] };
  globalThis.__loadProbe = probe;
  let count = 0;
  let second = performance.now();
  const frame = (now) => {
    count += 1;
    if (now - second >= 1000) {
      probe.frames.push((count * 1000) / (now - second));
      count = 0;
      second = now;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
});
await page.goto(`${server.url}?retain=${values.retain}`);
await page.waitForSelector('[data-state="connected"]', { timeout: 20_000 });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const heap = async () => {
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0;
};
const heapStart = await heap();
await page.evaluate(() => {
  globalThis.__loadProbe.frames.length = 0;
  globalThis.__loadProbe.longTasks.length = 0;
});

if (values.profile) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
}
const traceEvents = [];
if (values.trace) {
  cdp.on('Tracing.dataCollected', (event) => traceEvents.push(...event.value));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline',
    transferMode: 'ReportEvents',
  });
}
log(`publishing ${rate} msg/s for ${seconds} s (gerrit, zuul, launchpad; QoS 0) …`);
const traffic = sampleTraffic(42);
const total = Math.round(rate * seconds);
let sent = 0;
let failed = 0;
let maxMounted = 0;
const started = Date.now();
const sampler = setInterval(() => {
  void page
    .locator('.row')
    .count()
    .then((mounted) => (maxMounted = Math.max(maxMounted, mounted)))
    .catch(() => undefined);
}, 1000);
while (sent < total) {
  const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
  while (sent < due) {
    const message = traffic.next().value;
    sent += 1;
    publishers[message.account]
      .publish(message.topic, message.data, { qos: 0, id: randomUUID() })
      .catch(() => (failed += 1));
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
}
const publishSeconds = (Date.now() - started) / 1000;
// Drain: wait until the page has counted everything the broker delivered (or 20 s).
const deadline = Date.now() + 20_000;
let counts = await page.evaluate(() => globalThis.firehoseDashboard.counts());
while (counts.received < sent - failed && Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  counts = await page.evaluate(() => globalThis.firehoseDashboard.counts());
}
clearInterval(sampler);
const probe = await page.evaluate(() => globalThis.__loadProbe);
if (values.trace) {
  // Main-thread time per trace event name (top level only is approximate: nested events add up too).
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  await done;
  const byName = new Map();
  for (const event of traceEvents) {
    if (event.ph !== 'X' || !event.dur) continue;
    byName.set(event.name, (byName.get(event.name) ?? 0) + event.dur / 1000);
  }
  for (const [name, ms] of [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20))
    log(`trace: ${ms.toFixed(0).padStart(6)} ms  ${name}`);
  // The longest main-thread tasks and what they spent their time on.
  const complete = traceEvents.filter((event) => event.ph === 'X' && event.dur);
  const longTasks = complete
    .filter((event) => event.name === 'RunTask' && event.dur > 50_000)
    .sort((a, b) => b.dur - a.dur);
  for (const task of longTasks.slice(0, 5)) {
    const inside = new Map();
    for (const event of complete) {
      if (
        event.tid !== task.tid ||
        event === task ||
        event.ts < task.ts ||
        event.ts + event.dur > task.ts + task.dur
      )
        continue;
      const name =
        event.name === 'FunctionCall' || event.name === 'EventDispatch'
          ? `${event.name}:${event.args?.data?.type ?? event.args?.data?.functionName ?? ''}`
          : event.name;
      inside.set(name, (inside.get(name) ?? 0) + event.dur / 1000);
    }
    const parts = [...inside.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([name, ms]) => `${name} ${ms.toFixed(0)}`);
    log(`trace: long task ${(task.dur / 1000).toFixed(0)} ms: ${parts.join(', ')}`);
  }
}
if (values.profile) {
  // Self time per function, to say where the page's time goes.
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}:${frame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[index] ?? 0) / 1000);
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [key, ms] of top) log(`profile: ${ms.toFixed(0).padStart(6)} ms  ${key}`);
}
const mountedEnd = await page.locator('.row').count();
const heapEnd = await heap();

const frames = probe.frames.slice(1); // the first second includes start-up
const sorted = [...frames].sort((a, b) => a - b);
const mean = frames.reduce((sum, value) => sum + value, 0) / Math.max(1, frames.length);
const p5 = sorted[Math.floor(sorted.length * 0.05)] ?? 0;
const longest = Math.max(0, ...probe.longTasks);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

log(
  `published ${sent} in ${publishSeconds.toFixed(1)} s (${(sent / publishSeconds).toFixed(0)} msg/s), ${failed} failed`,
);
log(`received ${counts.received}, retained ${counts.retained} (cap ${values.retain}), shown ${counts.shown}`);
log(
  `fps: mean ${mean.toFixed(1)}, p5 ${p5.toFixed(1)}, min ${(sorted[0] ?? 0).toFixed(1)} over ${frames.length} s`,
);
log(`long tasks (> 50 ms): ${probe.longTasks.length}, longest ${longest.toFixed(0)} ms`);
log(`rows mounted: max ${maxMounted}, at end ${mountedEnd}`);
log(`JS heap: ${mb(heapStart)} MB → ${mb(heapEnd)} MB (growth ${mb(heapEnd - heapStart)} MB)`);

await Promise.allSettled(Object.values(publishers).map((client) => client.close()));
await browser.close();
await server.close();
await broker.close();
rmSync(outDir, { recursive: true, force: true });
