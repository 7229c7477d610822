import { performance } from 'node:perf_hooks';
import { connect, type FirehoseClient, type InvalidEvent, type ReceivedEvent } from '@firehose/client';
import { createEvent, dataschemaUrn } from '@firehose/protocol';
import { MAX_SAMPLES, type ParentMessage, type WorkerMessage, type WorkerPlan } from './protocol.js';

// A worker process of `firehose bench`: runs publishers and/or subscribers, reports over IPC.
// Kept free of console output; the parent owns the terminal.

const send = (message: WorkerMessage): void => {
  process.send?.(message);
};

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const now = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as WorkerPlan;
  const subscribers: FirehoseClient[] = [];
  const publishers: FirehoseClient[] = [];
  let received = 0;
  const samples: number[] = [];
  const record = (payload: Uint8Array | undefined, data: unknown): void => {
    received += 1;
    const sentAt = typeof data === 'object' && data !== null ? (data as { t?: unknown }).t : undefined;
    if (typeof sentAt !== 'number') return;
    const latency = now() - sentAt;
    // Reservoir sampling keeps memory flat on long runs while percentiles stay unbiased.
    if (samples.length < MAX_SAMPLES) samples.push(latency);
    else {
      const slot = Math.floor(Math.random() * received);
      if (slot < MAX_SAMPLES) samples[slot] = latency;
    }
    void payload;
  };
  for (let index = 0; index < plan.subscribers; index++) {
    const client = await connect(plan.url, { validate: false, dedupe: false });
    client.on('invalid', (invalid: InvalidEvent) => record(invalid.payload, invalid.event?.data));
    await client.subscribe(
      `${plan.topic}/#`,
      (event: ReceivedEvent) => record(event.payload, event.event.data),
      { qos: plan.qos },
    );
    subscribers.push(client);
  }
  for (let index = 0; index < plan.publishers; index++) {
    publishers.push(await connect(plan.url, { validate: false, dedupe: false, offlineQueueSize: 100_000 }));
  }
  process.on('message', (message: ParentMessage) => {
    if (message.kind === 'start' && publishers.length > 0) void publish(plan, publishers);
    if (message.kind === 'finish') {
      send({ kind: 'received', received, latencies: samples });
      void Promise.allSettled([...subscribers, ...publishers].map((client) => client.close())).then(() =>
        process.exit(0),
      );
    }
  });
  send({ kind: 'ready' });
}

async function publish(plan: WorkerPlan, clients: readonly FirehoseClient[]): Promise<void> {
  let sent = 0;
  let failed = 0;
  // Pad `data` so the whole payload (envelope included) is about `size` bytes; the envelope alone
  // sets a floor (~300 B), reported back so the printed figure is the real one.
  const bare = JSON.stringify(makeEvent(''));
  const padding = 'x'.repeat(Math.max(0, plan.size - Buffer.byteLength(bare)));
  const payloadBytes = Buffer.byteLength(JSON.stringify(makeEvent(padding)));
  const end = now() + plan.durationMs;
  await Promise.all(
    clients.map(async (client, index) => {
      const topic = `${plan.topic}/${plan.index}-${index}`;
      const interval = plan.rate > 0 ? 1000 / plan.rate : 0;
      let next = now();
      // A window of outstanding publishes: enough to fill the pipe, bounded so memory stays flat.
      const window = new Set<Promise<void>>();
      while (now() < end) {
        if (interval > 0) {
          next += interval;
          const wait = next - now();
          if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        }
        const event = makeEvent(padding);
        const promise = client
          .publishRaw(topic, JSON.stringify(event), { qos: plan.qos })
          .then(
            () => {
              sent += 1;
            },
            () => {
              failed += 1;
            },
          )
          .finally(() => window.delete(promise));
        window.add(promise);
        if (window.size >= 256) await Promise.race(window);
      }
      await Promise.allSettled([...window]);
    }),
  );
  send({ kind: 'published', sent, failed, payloadBytes });
}

function makeEvent(pad: string): ReturnType<typeof createEvent> {
  return createEvent({
    source: 'urn:firehose:bench',
    type: 'bench.message',
    dataschema: dataschemaUrn('bench.message', 1),
    data: { t: now(), pad },
  });
}

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
