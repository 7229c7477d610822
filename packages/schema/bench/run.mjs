// Schema hot-path benchmark. Runs the built package (dist/) under plain Node: `pnpm --filter @firehose/schema bench`.
// Prints figures only; it asserts nothing about time.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseEvent } from '@firehose/protocol';
import { checkEvent, createServiceEvent, eventTypes, gerrit, lookup } from '@firehose/schema';

const fixture = (eventType) =>
  JSON.parse(
    readFileSync(
      new URL(`../fixtures/${eventType.service}/${eventType.event}.json`, import.meta.url),
      'utf8',
    ),
  );

// A realistic mix: mostly Gerrit and Zuul, projects of depth 1–3, some encoded levels, a few undeclared topics.
const projects = [
  'openstack/nova',
  'openstack/neutron',
  'All-Projects',
  'starlingx/config/files',
  'openstack/openstack-ansible-os_nova',
  'zuul/zuul-jobs',
];
const topics = [];
for (const project of projects) {
  for (const name of ['commentAdded', 'patchsetCreated', 'changeMerged', 'refUpdated', 'reviewerAdded'])
    topics.push(gerrit[name].topic({ project }));
  topics.push(
    `zuul/openstack/check/${project}/master/912345`,
    `zuul/openstack/gate/${project}/stable%2F2024.1/912345`,
  );
  topics.push(
    `gearman-logstash/logstash-worker01/${project}/912345/retrieve_logs`,
    `gearman-subunit/logstash-worker02/${project}/912345`,
  );
}
topics.push(
  'launchpad/nova/bug/2061234',
  'ansible/playbook/3f0a9c2e/task/zuul01.opendev.org/OK',
  'gerrit/-/dropped-output',
);
topics.push('$SYS/broker/load/messages/received/1min', 'gerrit/openstack/nova/unknown-event', 'other/thing');

// Throughput is reported per wall-clock second and per CPU-second of this process: on a shared
// 2-core machine other work steals wall time, while CPU time counts only what this process spent.
function measure(label, unit, fn, { seconds = 1.5 } = {}) {
  for (let i = 0; i < 200_000; i++) fn(i); // warm up the JIT
  let iterations = 0;
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 10_000; i++) fn(iterations + i);
    iterations += 10_000;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = Number(now - start) / 1e9;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const perWall = iterations / wallSeconds;
  const perCpu = iterations / cpuSeconds;
  const fmt = (n) => Math.round(n).toLocaleString('en-US').padStart(11);
  console.log(
    `${label.padEnd(50)} ${fmt(perWall)} ${unit}/s wall  ${fmt(perCpu)} ${unit}/CPU-s  (${(1e9 / perCpu).toFixed(0)} ns CPU each)`,
  );
}

let sink = 0;
const declared = topics.filter((t) => lookup(t) !== undefined).length;
console.log(
  `node ${process.version}, ${eventTypes.length} event types, topic mix of ${topics.length} (${declared} declared)`,
);

measure('topic → event type lookup (realistic mix)', 'lookups', (i) => {
  if (lookup(topics[i % topics.length]) !== undefined) sink++;
});

// 100,000 distinct topics (deep projects, encoded branches): nothing repeats, as under a flood of new topics.
const unique = Array.from({ length: 100_000 }, (_, i) =>
  i % 3 === 0
    ? `gerrit/openstack/project-${i}/comment-added`
    : i % 3 === 1
      ? `zuul/openstack/check/x/project-${i}/stable%2F2024.1/${i}`
      : `gerrit/starlingx/group-${i % 97}/repo-${i}/patchset-created`,
);
measure('topic → event type lookup (100k distinct topics)', 'lookups', (i) => {
  if (lookup(unique[i % unique.length]) !== undefined) sink++;
});

const { data } = fixture(gerrit.commentAdded);
const event = createServiceEvent(gerrit.commentAdded, data);
const topic = gerrit.commentAdded.topic({ project: 'openstack/nova' });
const bytes = new TextEncoder().encode(JSON.stringify(event));
console.log(`comment-added envelope: ${bytes.length} bytes`);
if (checkEvent(topic, event).status !== 'valid') throw new Error('benchmark event is not valid');

measure('checkEvent(topic, parsed 2 KB comment-added)', 'checks', () => {
  if (checkEvent(topic, event).status === 'valid') sink++;
});

measure('bytes → parseEvent → checkEvent', 'messages', () => {
  if (checkEvent(topic, parseEvent(bytes)).status === 'valid') sink++;
});

// Latency per call: batches of `batch` calls timed together (the timer costs ~50 ns itself), p50/p99 over batches.
function latency(label, fn, { batch = 100, batches = 20_000 } = {}) {
  const samples = new Float64Array(batches);
  for (let b = 0; b < batches; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn(i);
    samples[b] = Number(process.hrtime.bigint() - start) / batch;
  }
  samples.sort();
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))].toFixed(0);
  console.log(`${label.padEnd(50)} p50 ${at(0.5)} ns  p99 ${at(0.99)} ns per call (batches of ${batch})`);
}

latency('checkEvent latency', () => {
  if (checkEvent(topic, event).status === 'valid') sink++;
});
latency(
  'bytes → parseEvent → checkEvent latency',
  () => {
    if (checkEvent(topic, parseEvent(bytes)).status === 'valid') sink++;
  },
  { batch: 10, batches: 20_000 },
);

const rss = process.memoryUsage().rss / 1024 / 1024;
console.log(
  `RSS ${rss.toFixed(0)} MiB, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores (sink ${sink > 0 ? 'ok' : 'empty'})`,
);
