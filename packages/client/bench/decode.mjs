// Per-message cost of the client's receive path without the network, stage by stage, next to a bare
// JSON.parse. Runs the built package under plain Node (part of `pnpm --filter @firehose/client bench`).
// Prints figures only; asserts nothing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEvent } from '@firehose/protocol';
import { catalogue, checkEvent, createServiceEvent, gerrit } from '@firehose/schema';
import { decodeMessage } from '../dist/decode.js';
import { DedupeWindow } from '../dist/dedupe-window.js';

const fixture = JSON.parse(
  readFileSync(
    fileURLToPath(import.meta.resolve('@firehose/schema/fixtures/gerrit/comment-added.json')),
    'utf8',
  ),
);
const projects = ['openstack/nova', 'openstack/neutron', 'All-Projects', 'starlingx/config/files'];
const COUNT = 4000;
const messages = Array.from({ length: COUNT }, (_, i) => {
  const project = projects[i % projects.length];
  const data = { ...fixture.data, change: { ...fixture.data.change, project, number: i + 1 } };
  const event = createServiceEvent(gerrit.commentAdded, data, { id: `id-${i}` });
  return { topic: gerrit.commentAdded.topic({ project }), payload: Buffer.from(JSON.stringify(event)) };
});
const N = 400_000;

function measure(label, fn) {
  for (let i = 0; i < 40_000; i++) fn(i); // warm up the JIT
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) fn(i);
  const used = process.cpuUsage(start);
  console.log(`${label.padEnd(44)} ${((used.user + used.system) / N).toFixed(2)} µs CPU/msg`);
}

console.log(
  `client decode path, ${N.toLocaleString('en-US')} gerrit.comment-added payloads of ${messages[0].payload.length} B`,
);
measure('JSON.parse(payload.toString())', (i) => JSON.parse(messages[i % COUNT].payload.toString()));
measure('parseEvent (UTF-8 check, JSON, envelope)', (i) => parseEvent(messages[i % COUNT].payload));
measure('+ checkEvent (lookup, params, schema)', (i) => {
  const { topic, payload } = messages[i % COUNT];
  checkEvent(topic, parseEvent(payload));
});
measure('decodeMessage, dedupe off', (i) => {
  const { topic, payload } = messages[i % COUNT];
  decodeMessage(topic, payload, true, undefined, catalogue);
});
// 4,000 distinct ids cycle, so a window smaller than that never sees a repeat: every message pays
// the full dedupe cost (key, insert, eviction).
for (const size of [1000, 3000]) {
  const window = new DedupeWindow(size);
  measure(`decodeMessage, dedupe window ${size.toLocaleString('en-US')}`, (i) => {
    const { topic, payload } = messages[i % COUNT];
    decodeMessage(topic, payload, true, window, catalogue);
  });
}
