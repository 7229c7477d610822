// The scenarios. Each gets a freshly started broker and returns one row of figures; run.mjs repeats
// them per broker and round. Every phase is bounded in time (well under 60 s per scenario).
import hdr from 'hdr-histogram-js';
import { PUBLISHER_LOGIN, sampleProcess } from './brokers.mjs';
import { gerritComment, openstackMix, repositories, smallMessage } from './envelopes.mjs';
import { startWorkers } from './workers.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Warm-up before a measured phase: a third of it, 2 s at most. */
const warmup = (durationMs) => Math.min(2000, Math.round(durationMs / 3));
const split = (total, parts) =>
  Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));

/** Latency percentiles (ms) from the workers' encoded histograms. */
function latency(reports) {
  const all = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
  for (const r of reports) {
    const h = hdr.decodeFromCompressedBase64(r.histogram);
    all.add(h);
  }
  if (all.totalCount === 0) return { p50: NaN, p99: NaN, max: NaN };
  return {
    p50: all.getValueAtPercentile(50) / 1000,
    p99: all.getValueAtPercentile(99) / 1000,
    max: all.maxValue / 1000,
  };
}

/**
 * One measured phase: resets the subscribers, runs the publishers, waits for deliveries to stop
 * (or reach `expected`), and returns throughput, loss, latency and the broker's CPU per delivery.
 */
async function phase(
  broker,
  {
    publishers,
    subscribers,
    run,
    expectedOf = (done) => done.reduce((s, d) => s + d.expected, 0),
    drainMs = 5000,
    quietMs = 1500,
    warmupMs = 0,
  },
) {
  const everyone = [...new Set([...publishers, ...subscribers])];
  if (warmupMs > 0) {
    // Unmeasured: the JIT compiles the hot paths (on background threads that count as broker CPU)
    // and the heap grows to its working size, so the measured phase sees the steady state.
    await Promise.all(everyone.map((w) => w.ask('reset')));
    await Promise.all(publishers.map((w) => w.run({ ...run, durationMs: warmupMs })));
    await sleep(500);
  }
  await Promise.all(everyone.map((w) => w.ask('reset')));
  const before = sampleProcess(broker.pid);
  const done = await Promise.all(publishers.map((w) => w.run(run)));
  const expected = expectedOf(done);
  // Deliveries still queued in the broker arrive after the publishers stop.
  // Done when all expected arrived, nothing arrived for `quietMs`, or `drainMs` passed.
  let reports;
  let previous = -1;
  let quietSince = Date.now();
  const until = Date.now() + drainMs;
  for (;;) {
    reports = await Promise.all(subscribers.map((w) => w.report()));
    const delivered = reports.reduce((s, r) => s + r.delivered, 0);
    if (delivered !== previous) quietSince = Date.now();
    if (delivered >= expected || Date.now() - quietSince > quietMs || Date.now() > until) break;
    previous = delivered;
    await sleep(250);
  }
  const after = sampleProcess(broker.pid);
  const delivered = reports.reduce((s, r) => s + r.delivered, 0);
  const startedAt = Math.min(...done.map((d) => d.startedAt));
  const lastAt = Math.max(...reports.map((r) => r.last), ...done.map((d) => d.endedAt));
  const seconds = Math.max((lastAt - startedAt) / 1e6, 1e-3);
  return {
    msgPerSec: delivered / seconds,
    sent: done.reduce((s, d) => s + d.sent, 0),
    delivered,
    expected,
    loss: Math.max(0, expected - delivered),
    ...latency(reports),
    cpuPerMsg: (after.cpuMicros - before.cpuMicros) / Math.max(delivered, 1),
    rss: after.rss,
    peakRss: after.peakRss,
    frozenDelivered: reports.reduce((s, r) => s + r.frozenDelivered, 0),
  };
}

async function withWorkers(plans, body, onProgress) {
  const workers = await startWorkers(plans, onProgress);
  try {
    return await body(workers);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** N publishers (in two processes) → 1 subscriber, as fast as the broker takes them. */
function fanIn({ key, title, qos, message, size }) {
  return {
    key,
    title,
    models: `${size.publishers} publishers in two processes → 1 subscriber (a third process), QoS ${qos}, as fast as the broker passes them on: ${
      qos
        ? `at most ${size.window} unacknowledged messages per publisher`
        : `a closed loop, at most ${size.window0} messages (and 512 KiB) between the publishers sending and the subscriber receiving (its count relayed over IPC), so no queue grows and latency is the broker's, not a backlog's`
    }.`,
    async run(broker, { durationMs }) {
      const template = message();
      // At most ~512 KiB in flight: below firehose's 1 MiB soft queue cap, so no broker drops.
      const window0 = Math.min(size.window0, Math.floor((512 * 1024) / template.bytes));
      const perProcess = split(size.publishers, 2);
      const plans = [
        {
          name: 'sub',
          port: broker.port,
          subscribers: [{ filters: [template.topic], qos, tcp: true }],
          reportProgress: qos === 0,
        },
        ...perProcess.map((n, i) => ({
          name: `pub${i}`,
          port: broker.port,
          publishers: n,
          templates: [template],
          qos,
          login: PUBLISHER_LOGIN,
        })),
      ];
      let pubs = [];
      const relay = (delivered) => {
        for (const pub of pubs) pub.tell({ type: 'progress', delivered });
      };
      return withWorkers(
        plans,
        ([sub, ...rest]) => {
          pubs = rest;
          const run = qos
            ? { mode: 'acked', qos, durationMs, window: size.window }
            : { mode: 'relayed', qos, durationMs, window: window0, share: 1 / pubs.length };
          // QoS 1 must all arrive: wait longer before calling a quiet subscriber's shortfall loss.
          const drain = qos ? { drainMs: 20_000, quietMs: 5000 } : {};
          return phase(broker, {
            publishers: pubs,
            subscribers: [sub],
            run,
            warmupMs: warmup(durationMs),
            ...drain,
          });
        },
        relay,
      );
    },
  };
}

/** One publisher → `subscribers` (one of them the probe in the publisher's process). */
async function fanOutRun(broker, { subscribers, window, durationMs, frozen = false }) {
  const topic = 'bench/fanout/event';
  const template = smallMessage(topic);
  const others = subscribers - 1 - (frozen ? 1 : 0);
  const processes = Math.min(4, Math.max(1, Math.ceil(others / 100)));
  const plans = [
    {
      name: 'pub',
      port: broker.port,
      publishers: 1,
      templates: [template],
      probe: topic,
      login: PUBLISHER_LOGIN,
    },
    ...split(others, processes).map((n, i) => ({
      name: `subs${i}`,
      port: broker.port,
      subscribers: [
        ...Array.from({ length: n }, () => ({ filters: [topic], qos: 0, tcp: true })),
        ...(frozen && i === 0 ? [{ filters: [topic], qos: 0, tcp: true, frozen: true }] : []),
      ],
    })),
  ];
  return withWorkers(plans, async ([pub, ...subs]) => {
    const everyone = [pub, ...subs];
    // Each message reaches every counted subscriber (the frozen one is counted apart).
    const expectedOf = (done) => done[0].sent * (subscribers - (frozen ? 1 : 0));
    const run = { mode: 'probe', durationMs, window };
    if (!frozen)
      return phase(broker, {
        publishers: [pub],
        subscribers: everyone,
        run,
        expectedOf,
        warmupMs: warmup(durationMs),
      });
    const none = await phase(broker, {
      publishers: [pub],
      subscribers: everyone,
      run,
      expectedOf,
      warmupMs: warmup(durationMs),
    });
    await subs[0].ask('freeze');
    const one = await phase(broker, {
      publishers: [pub],
      subscribers: everyone,
      run,
      expectedOf,
      drainMs: 2000,
    });
    return { ...one, vsNoneFrozen: one.msgPerSec / none.msgPerSec, noneFrozenMsgPerSec: none.msgPerSec };
  });
}

function fanOut(key, count, window) {
  return {
    key,
    title: `fan-out 1 → ${count.toLocaleString('en')}, QoS 0, 200 B`,
    models: `one publisher, ${count.toLocaleString('en')} subscribers on its topic; the publisher keeps at most ${window} messages on their way to a probe subscriber (a closed loop: the rate the broker sustains without queues growing). msg/s counts deliveries.`,
    run: (broker, { durationMs, scale }) =>
      fanOutRun(broker, { subscribers: scale(count), window, durationMs }),
  };
}

const LADDER = [1000, 2000, 4000, 7000, 10_000, 14_000, 20_000, 28_000, 35_000];

const openstackPeak = {
  key: 'openstack-peak',
  title: 'OpenStack peak: paced gerrit/zuul envelopes over 1,000 repos, 1,001 WebSocket subscribers',
  models:
    "OpenStack's firehose at its measured peak (1.7 M msgs/min ≈ 28,000 msg/s): valid gerrit comment-added / patchset-created and zuul report envelopes over 1,000 repositories, paced; 1,000 WebSocket subscribers each on one repository's `gerrit/<ns>/<repo>/#` plus one on `#`. The rate climbs a ladder; the figure is the highest rate sustained with no loss and p99 < 50 ms (Mosquitto over TCP: its WebSocket listener does not start here).",
  async run(broker, { durationMs, scale, quick }) {
    const repos = repositories(scale(1000));
    const templates = openstackMix(repos);
    const url = broker.wsUrl; // undefined for Mosquitto: TCP
    const subProcesses = quick ? 1 : 3;
    const perProcess = split(repos.length, subProcesses);
    let offset = 0;
    const plans = [
      ...perProcess.map((n, i) => {
        const mine = repos.slice(offset, offset + n);
        offset += n;
        return {
          name: `subs${i}`,
          port: broker.port,
          url,
          subscribers: [
            ...mine.map((repo) => ({ filters: [`gerrit/${repo}/#`], qos: 0 })),
            ...(i === 0 ? [{ filters: ['#'], qos: 0 }] : []),
          ],
        };
      }),
      ...[0, 1].map((i) => ({
        name: `pub${i}`,
        port: broker.port,
        publishers: 2,
        templates,
        login: PUBLISHER_LOGIN,
      })),
    ];
    return withWorkers(plans, async (workers) => {
      const subs = workers.slice(0, subProcesses);
      const pubs = workers.slice(subProcesses);
      const ladder = quick ? [200] : LADDER;
      let best;
      const steps = [];
      for (const rate of ladder) {
        const result = await phase(broker, {
          publishers: pubs,
          subscribers: subs,
          // Steps of at most 4 s keep the whole ladder within a minute.
          run: { mode: 'paced', rate: rate / pubs.length, durationMs: Math.min(durationMs, 4000) },
          drainMs: 2000,
        });
        // "Sustained": every message delivered and p99 under 50 ms at this offered rate.
        const ok = result.loss === 0 && result.p99 < 50;
        steps.push(`${rate}${ok ? '' : '✗'}`);
        if (!ok) {
          if (best === undefined) best = { ...result, sustained: 0 };
          break;
        }
        best = { ...result, sustained: rate };
      }
      return { ...best, msgPerSec: best.sustained, ladder: steps.join(' ') };
    });
  },
};

const idleConnections = {
  key: 'idle-10k',
  title: '10,000 idle connections: broker RSS per connection',
  models:
    'Connected clients that send nothing (keepalive 0, no subscriptions): what each costs the broker in memory. RSS after the connections settle minus RSS before, divided by the count.',
  async run(broker, { scale, quick }) {
    const count = scale(10_000);
    await sleep(quick ? 100 : 500);
    const before = sampleProcess(broker.pid);
    return withWorkers(
      split(count, 4).map((n, i) => ({ name: `idle${i}`, port: broker.port, idle: n })),
      async () => {
        await sleep(quick ? 300 : 2000);
        const after = sampleProcess(broker.pid);
        return {
          msgPerSec: NaN,
          loss: 0,
          p50: NaN,
          p99: NaN,
          max: NaN,
          cpuPerMsg: NaN,
          rss: after.rss,
          peakRss: after.peakRss,
          connections: count,
          rssPerConnection: (after.rss - before.rss) / count,
        };
      },
    );
  },
};

const frozenSubscriber = {
  key: 'frozen-1-of-100',
  title: 'one frozen subscriber among 100: the others’ throughput',
  models:
    'Fan-out 1 → 100 (QoS 0, 200 B) measured twice on one broker: all reading, then with one subscriber that stopped reading its socket. msg/s counts the 99 others’ deliveries with one frozen; "vs none frozen" divides it by the same broker’s all-reading rate (1.0 = the frozen one costs the others nothing).',
  run: (broker, { durationMs, scale }) =>
    fanOutRun(broker, { subscribers: scale(100), window: 20, durationMs: durationMs / 2, frozen: true }),
};

/**
 * N publishers (two processes) → a 3-member shared subscription (`$share/bench/<topic>`, each member
 * its own process), QoS 1: each message to one member. Plain aedes 1.2.0 has no shared subscriptions.
 */
function sharedGroup(size) {
  const topic = 'bench/shared/event';
  return {
    key: 'shared-3',
    title: 'shared subscription, 3 members, QoS 1, 200 B',
    brokers: ['firehose', 'firehose-base', 'mosquitto'],
    models: `${size.publishers} publishers in two processes → one \`$share/bench/${topic}\` group of 3 members (one process each), QoS 1, at most ${size.window} unacknowledged messages per publisher; msg/s counts deliveries (one per message); lost = messages no member received.`,
    async run(broker, { durationMs }) {
      const template = smallMessage(topic);
      const members = [0, 1, 2].map((i) => ({
        name: `member${i}`,
        port: broker.port,
        subscribers: [{ filters: [`$share/bench/${topic}`], qos: 1, tcp: true }],
      }));
      const plans = [
        ...members,
        ...split(size.publishers, 2).map((n, i) => ({
          name: `pub${i}`,
          port: broker.port,
          publishers: n,
          templates: [template],
          qos: 1,
          login: PUBLISHER_LOGIN,
        })),
      ];
      return withWorkers(plans, (workers) => {
        const subs = workers.slice(0, 3);
        const pubs = workers.slice(3);
        return phase(broker, {
          publishers: pubs,
          subscribers: subs,
          run: { mode: 'acked', qos: 1, durationMs, window: size.window },
          warmupMs: warmup(durationMs),
        });
      });
    },
  };
}

/** All scenarios; `size` differs between the full run and --quick. */
export function scenarios({ quick }) {
  const size = { publishers: quick ? 2 : 4, window: 100, window0: Number(process.env.BENCH_WINDOW0 ?? 1000) };
  const small = () => smallMessage('bench/fanin/event');
  const envelope = () => gerritComment();
  return [
    fanIn({
      key: 'fan-in-qos0-200B',
      title: 'fan-in QoS 0, 200 B, undeclared topic',
      qos: 0,
      message: small,
      size,
    }),
    fanIn({
      key: 'fan-in-qos0-2KB',
      title: 'fan-in QoS 0, 2 KB valid gerrit envelope',
      qos: 0,
      message: envelope,
      size,
    }),
    fanIn({
      key: 'fan-in-qos1-200B',
      title: 'fan-in QoS 1, 200 B, undeclared topic',
      qos: 1,
      message: small,
      size,
    }),
    fanIn({
      key: 'fan-in-qos1-2KB',
      title: 'fan-in QoS 1, 2 KB valid gerrit envelope',
      qos: 1,
      message: envelope,
      size,
    }),
    sharedGroup(size),
    fanOut('fan-out-100', 100, 20),
    fanOut('fan-out-1000', 1000, 4),
    openstackPeak,
    idleConnections,
    frozenSubscriber,
  ];
}
