import { describe, expect, it } from 'vitest';
import { services } from '@firehose/schema';
import { Archive } from '../src/history/archive.js';
import { encodeCursor } from '../src/history/cursor.js';
import { silentLogger } from '../src/logger.js';
import { archivePath, getJson, historyBroker, type Page } from './history-broker.js';
import { openSse } from './history-sse.js';
import { client, waitFor } from './helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The start of the hour `hoursAgo` hours before this one: retention chunks are whole hours. */
function hourStart(hoursAgo: number, now = Date.now()): number {
  return (Math.floor(now / HOUR) - hoursAgo) * HOUR;
}

/**
 * An archive on a real file, the test driving the clock: `Archive.accept` takes the accept time,
 * so events can be hours old without waiting for them to age.
 */
async function openArchive(path: string, retention: { maxAge: number; maxBytes: number }) {
  const archive = new Archive({
    path,
    ...retention,
    queue: 100_000,
    logger: silentLogger,
    onOverflow: () => undefined,
    services: () => services,
  });
  await archive.open();
  return archive;
}

/** Archives `count` events named `${prefix}${i}` accepted at `time`; their sequence numbers. */
function acceptAt(archive: Archive, prefix: string, time: number, count = 10, pad = 0): bigint[] {
  return Array.from({ length: count }, (_, i) =>
    archive.accept(
      'site/retention',
      Buffer.from(JSON.stringify({ id: `${prefix}${i}`, type: 'site.retention', pad: 'x'.repeat(pad) })),
      time + i,
    ),
  );
}

async function archivedIds(archive: Archive): Promise<string[]> {
  const page = await archive.search({
    keys: [],
    order: 'asc',
    limit: 1000,
    scanBudget: 100_000,
    timeBudgetMs: 5000,
  });
  return page.rows.map((row) => (JSON.parse(row.event) as { id: string }).id);
}

const ids = (prefix: string, count = 10) => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

describe('history archive file', () => {
  it('writes the events accepted in the tick it is closed in', async () => {
    const path = archivePath();
    const first = await openArchive(path, { maxAge: 30 * 86_400, maxBytes: 0 });
    acceptAt(first, 'last', Date.now(), 3);
    await first.close();
    const second = await openArchive(path, { maxAge: 30 * 86_400, maxBytes: 0 });
    try {
      expect(await archivedIds(second)).toEqual(ids('last', 3));
    } finally {
      await second.close();
    }
  });
});

describe('history retention', () => {
  it('drops whole hourly chunks once their newest event is older than maxAge, and keeps the rest', async () => {
    const now = Date.now();
    // Older than maxAge: the chunk three hours back, whole; the one two hours back holds events on
    // both sides of the limit, so it stays, whole; and this hour's.
    const cutoff = hourStart(2, now) + 30 * MINUTE;
    const archive = await openArchive(archivePath(), {
      maxAge: Math.floor((now - cutoff) / 1000),
      maxBytes: 0,
    });
    try {
      const old = acceptAt(archive, 'old', hourStart(3, now) + MINUTE);
      acceptAt(archive, 'straddling', hourStart(2, now) + MINUTE, 5);
      acceptAt(archive, 'straddling-late', hourStart(2, now) + 59 * MINUTE, 5);
      const recent = acceptAt(archive, 'recent', now - 1000);
      await archive.settled(recent.at(-1)!);
      await waitFor(
        async () => (await archive.bounds()).droppedThrough !== undefined,
        10_000,
        'a chunk dropped',
      );
      expect(await archivedIds(archive)).toEqual([
        ...ids('straddling', 5),
        ...ids('straddling-late', 5),
        ...ids('recent'),
      ]);
      const bounds = await archive.bounds();
      expect(bounds.droppedThrough).toBe(old.at(-1));
      expect(bounds.oldest).toBe(old.at(-1)! + 1n);
    } finally {
      await archive.close();
    }
  });

  it('drops the oldest whole chunks while the archive is over maxBytes, after every write, never the newest', async () => {
    // Ten events of about 1,100 bytes per chunk (payload, topic and row overhead): 25,000 bytes
    // hold two chunks and not three.
    const archive = await openArchive(archivePath(), { maxAge: 30 * 86_400, maxBytes: 25_000 });
    try {
      const now = Date.now();
      acceptAt(archive, 'a', hourStart(3, now), 10, 1000);
      acceptAt(archive, 'b', hourStart(2, now), 10, 1000);
      acceptAt(archive, 'c', hourStart(1, now), 10, 1000);
      const d = acceptAt(archive, 'd', now, 10, 1000);
      await archive.settled(d.at(-1)!);
      await waitFor(
        async () => !(await archivedIds(archive)).includes('b0'),
        10_000,
        'chunks a and b dropped',
      );
      expect(await archivedIds(archive)).toEqual([...ids('c'), ...ids('d')]);

      // This hour's chunk grows past the limit with it: the oldest other chunk goes, at once.
      const more = acceptAt(archive, 'e', now + 10, 10, 1000);
      await archive.settled(more.at(-1)!);
      await waitFor(async () => !(await archivedIds(archive)).includes('c0'), 10_000, 'chunk c dropped');
      expect(await archivedIds(archive)).toEqual([...ids('d'), ...ids('e')]);

      // Over the limit with a single chunk left: the chunk still being written stays.
      const big = acceptAt(archive, 'f', now + 20, 30, 1000);
      await archive.settled(big.at(-1)!);
      expect(await archivedIds(archive)).toEqual([...ids('d'), ...ids('e'), ...ids('f', 30)]);
    } finally {
      await archive.close();
    }
  });

  it('streams event: reset naming the oldest cursor when since is older than the archive holds, then continues from the oldest', async () => {
    const path = archivePath('reset');
    // Written three hours ago (the test drives the clock), then the broker opens it keeping one hour.
    const before = await openArchive(path, { maxAge: 30 * 86_400, maxBytes: 0 });
    const gone = acceptAt(before, 'gone', hourStart(3) + MINUTE, 5);
    await before.close();

    const { broker, http } = await historyBroker({
      history: { enabled: true, path, retention: { maxAge: 3600 } },
    });
    await waitFor(
      async () => (await getJson<Page>(`${http}/v1/events`)).body.events.length === 0,
      10_000,
      'the old chunk dropped at start',
    );
    const pub = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    for (let i = 1; i <= 3; i++) await pub.publishAsync('site/kept', `{"id":"kept${i}"}`, { qos: 1 });
    const kept = (await getJson<Page>(`${http}/v1/events?order=asc`)).body.events;
    expect(kept.map((e) => e.event.id)).toEqual(['kept1', 'kept2', 'kept3']);

    const byCursor = await openSse(`${http}/v1/stream?since=${encodeCursor(gone[1]!)}`);
    const byTime = await openSse(`${http}/v1/stream?since=-4h`);
    await waitFor(() => byCursor.events.length === 4 && byTime.events.length === 4);
    await pub.publishAsync('site/kept', '{"id":"kept4"}', { qos: 1 });
    await waitFor(() => byCursor.events.length === 5 && byTime.events.length === 5);
    for (const stream of [byCursor, byTime]) {
      const [reset, ...events] = stream.events;
      expect(reset).toMatchObject({ event: 'reset', id: undefined });
      expect(JSON.parse(reset!.data)).toEqual({ oldest: kept[0]!.cursor });
      expect(events.map((e) => e.event)).toEqual(['message', 'message', 'message', 'message']);
      expect(events.map((e) => (JSON.parse(e.data) as Page['events'][number]).event.id)).toEqual([
        'kept1',
        'kept2',
        'kept3',
        'kept4',
      ]);
      stream.close();
    }

    // A cursor within what the archive holds is no reset: it resumes right after it.
    const within = await openSse(`${http}/v1/stream?since=${kept[0]!.cursor}`);
    await waitFor(() => within.events.length === 3);
    expect(within.events.map((e) => e.event)).toEqual(['message', 'message', 'message']);
    within.close();
  });
});
