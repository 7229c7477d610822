import { describe, expect, it } from 'vitest';
import { archivePath, historyBroker } from './history-broker.js';
import { openSse, type SseStream } from './history-sse.js';
import { client, waitFor } from './helpers.js';

/** Events per publisher (issue 13: 50,000; `GAPLESS_COUNT` for a quicker local run). */
const COUNT = Number(process.env.GAPLESS_COUNT ?? 50_000);
const START = '0000000000000000';

/**
 * A stream reader that resumes with Last-Event-ID whenever its stream ends (the broker cuts a
 * reader that falls behind), as an EventSource does; `cut()` ends the current stream on purpose.
 */
class Consumer {
  readonly ids: string[] = [];
  readonly cursors: string[] = [];
  resumes = 0;
  #stream: SseStream | undefined;
  #last: string | undefined;
  #stopped = false;
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async start(): Promise<void> {
    while (!this.#stopped) {
      // As an EventSource does: the same URL (since= and all), and the last id seen, which wins.
      const stream = await openSse(
        this.#url,
        this.#last === undefined ? {} : { 'last-event-id': this.#last },
      );
      this.#stream = stream;
      expect(stream.status).toBe(200);
      let taken = 0;
      const take = (): void => {
        for (; taken < stream.events.length; taken++) {
          const event = stream.events[taken]!;
          if (event.event !== 'message') continue;
          this.ids.push((JSON.parse(event.data) as { event: { id: string } }).event.id);
          this.cursors.push(event.id!);
          this.#last = event.id;
        }
      };
      const timer = setInterval(take, 20);
      await stream.ended;
      clearInterval(timer);
      take();
      if (!this.#stopped) this.resumes++;
    }
  }

  /** Ends the current stream; the loop resumes it from the last cursor received. */
  cut(): void {
    this.#stream?.close();
  }

  stop(): void {
    this.#stopped = true;
    this.#stream?.close();
  }
}

describe('history handover under load', { timeout: 240_000 }, () => {
  it(`two publishers × ${COUNT} (QoS 0 and 1), readers joining mid-stream and one cut: 0 missing, 0 duplicated, 0 out of order`, async () => {
    const { broker, http } = await historyBroker(
      { history: { enabled: true, path: archivePath('gapless'), queue: 10_000_000 } },
      undefined,
    );
    const url = `${http}/v1/stream?since=${START}&service=site`;
    const publishers = await Promise.all(
      ['p1', 'p2'].map((name) =>
        client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw', clientId: `gerrit-${name}` }),
      ),
    );
    const acknowledged = new Set<string>();
    const early = new Consumer(url);
    const running = [early.start()];
    const consumers = [early];
    const published = () => acknowledged.size;

    const sends = publishers.map((pub, p) =>
      (async () => {
        for (let i = 0; i < COUNT; i++) {
          const id = `p${p + 1}-${i}`;
          const qos = i % 2 === 0 ? 0 : 1;
          pub.publish(`site/gapless/p${p + 1}`, `{"id":"${id}","type":"site.gapless"}`, { qos }, (error) => {
            if (!error) acknowledged.add(id);
          });
          // Keep MQTT.js' queue short so the readers join while publishing goes on.
          if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
        }
      })(),
    );
    // Readers joining at a quarter and at half way; the second is cut once and resumes.
    await waitFor(() => published() >= COUNT / 2, 120_000);
    const middle = new Consumer(url);
    consumers.push(middle);
    running.push(middle.start());
    await waitFor(() => published() >= COUNT, 120_000);
    const cut = new Consumer(url);
    consumers.push(cut);
    running.push(cut.start());
    await waitFor(() => cut.ids.length > COUNT / 4, 120_000);
    cut.cut();
    await Promise.all(sends);
    await waitFor(() => published() === 2 * COUNT, 120_000);
    await waitFor(() => consumers.every((c) => c.ids.length >= 2 * COUNT), 180_000);
    for (const c of consumers) c.stop();
    await Promise.all(running);

    for (const c of consumers) {
      const counts = new Map<string, number>();
      for (const id of c.ids) counts.set(id, (counts.get(id) ?? 0) + 1);
      const missing = [...acknowledged].filter((id) => !counts.has(id));
      const duplicated = [...counts].filter(([, n]) => n > 1);
      const outOfOrder = c.cursors.filter((cursor, i) => i > 0 && cursor <= c.cursors[i - 1]!).length;
      // Each publisher's events in the order it sent them.
      const perPublisherDisorder = ['p1', 'p2'].map((p) => {
        const seq = c.ids.filter((id) => id.startsWith(`${p}-`)).map((id) => Number(id.slice(3)));
        return seq.filter((n, i) => i > 0 && n <= seq[i - 1]!).length;
      });
      if (outOfOrder > 0) {
        const at = c.cursors.findIndex((cursor, i) => i > 0 && cursor <= c.cursors[i - 1]!);
        process.stderr.write(
          JSON.stringify([
            'DISORDER',
            consumers.indexOf(c),
            c.resumes,
            at,
            c.ids.length,
            c.cursors.slice(at - 2, at + 2),
            c.ids.slice(at - 2, at + 2),
          ]) + '\n',
        );
      }
      expect({
        missing: missing.length,
        duplicated: duplicated.length,
        outOfOrder,
        perPublisherDisorder,
      }).toEqual({
        missing: 0,
        duplicated: 0,
        outOfOrder: 0,
        perPublisherDisorder: [0, 0],
      });
      expect(c.ids).toHaveLength(2 * COUNT);
    }
    expect(cut.resumes).toBeGreaterThanOrEqual(1);
    expect(broker.stats.droppedCount('history_overflow')).toBe(0);
    // The handover counts, for the closing note.
    console.log(
      `gapless: ${2 * COUNT} acknowledged; readers got ${consumers.map((c) => c.ids.length).join(', ')}; resumes ${consumers.map((c) => c.resumes).join(', ')}; 0 missing, 0 duplicated, 0 out of order`,
    );
  });
});
