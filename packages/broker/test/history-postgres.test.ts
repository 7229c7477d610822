import { freePort, startPostgres, type PostgresServer } from '@firehose/test-support';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCursor } from '../src/history/cursor.js';
import { streamIdToSeq } from '../src/history/stream-id.js';
import { hashPassword, type FirehoseBroker } from '../src/index.js';
import type { Logger } from '../src/logger.js';
import { getJson, type Page } from './history-broker.js';
import { openSse } from './history-sse.js';
import { client, gerritCommentAdded, startBroker, waitFor } from './helpers.js';
import { startRedis } from './redis-server.js';

/** The stream keeps about this many entries (the least history.stream.maxLen takes). */
const MAX_LEN = 1000;
const STREAM = 'firehose:history';
const START = '0000000000000000';

let redis: Awaited<ReturnType<typeof startRedis>>;
let postgres: PostgresServer;
let password: string;
let databases = 0;

beforeAll(async () => {
  [redis, postgres, password] = await Promise.all([startRedis(), startPostgres(), hashPassword('pw')]);
});
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** A redis database and a PostgreSQL database of the test's own. */
async function freshCluster(): Promise<{ db: number; url: string; sql: pg.Client; stream: Redis }> {
  const db = ++databases;
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE history_${db}`);
  await admin.end();
  const url = postgres.url.replace(/\/postgres$/, `/history_${db}`);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const stream = new Redis(`${redis.url}/${db}`);
  return { db, url, sql, stream };
}

/** What the nodes logged, as text, to check that no secret reaches the log. */
const logged: string[] = [];
const logger = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [
    level,
    (obj: object | string, msg?: string) => logged.push(`${level} ${JSON.stringify(obj)} ${msg ?? ''}`),
  ]),
) as unknown as Logger;

/** A password in the URL (trust authentication ignores it), which must never be shown. */
const SECRET = 'canary-pg-secret';

function node(db: number, url: string): Promise<FirehoseBroker> {
  return startBroker(
    {
      listeners: { mqtt: { host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 } },
      accounts: { gerrit: { password, write: ['gerrit/#', 'site/#'] } },
      anonymous: { read: ['#'] },
      persistence: `${redis.url}/${db}`,
      history: {
        enabled: true,
        stream: { maxLen: MAX_LEN },
        postgres: url.replace('postgres://firehose@', `postgres://firehose:${SECRET}@`),
      },
      sys: { interval: 0 },
      catalogue: { interval: 0 },
    },
    { logger },
  );
}

/** Publishes `count` events from `publishers` in turn, each acknowledged before the next; their ids. */
async function publish(publishers: MqttClient[], prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const publisher = publishers[i % publishers.length]!;
    // Every 100th a gerrit comment with a declared key (change) the deep archive indexes.
    if (i % 100 === 0) {
      const comment = gerritCommentAdded(7000 + ((i / 100) % 3));
      comment.id = `${prefix}${i}`;
      await publisher.publishAsync('gerrit/openstack/nova/comment-added', JSON.stringify(comment), {
        qos: 1,
      });
    } else {
      await publisher.publishAsync(
        `site/p${i % publishers.length}`,
        JSON.stringify({ id: `${prefix}${i}` }),
        {
          qos: 1,
        },
      );
    }
    ids.push(`${prefix}${i}`);
  }
  return ids;
}

/** Every event a node's search returns, paging `next` (`order`, `limit` 1000). */
async function searchAll(
  http: string,
  order: 'asc' | 'desc',
  filter = '',
): Promise<{ id: string; cursor: string }[]> {
  const all: { id: string; cursor: string }[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: Page = (
      await getJson<Page>(
        `${http}/v1/events?order=${order}&limit=1000${filter}${cursor === null ? '' : `&cursor=${cursor}`}`,
      )
    ).body;
    all.push(...page.events.map((record) => ({ id: record.event.id, cursor: record.cursor })));
    cursor = page.next;
    if (cursor === null) return all;
  }
  throw new Error('more than 100 pages');
}

/** Missing, duplicated and out-of-order records against the ids published. */
function count(records: { id: string; cursor: string }[], published: string[]) {
  const seen = new Set(records.map((record) => record.id));
  let outOfOrder = 0;
  for (let i = 1; i < records.length; i++) if (records[i]!.cursor <= records[i - 1]!.cursor) outOfOrder++;
  return {
    missing: published.filter((id) => !seen.has(id)).length,
    duplicated: records.length - seen.size,
    outOfOrder,
  };
}

async function archived(sql: pg.Client): Promise<number> {
  return Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM firehose_events')).rows[0]!.n);
}

async function streamFirst(stream: Redis): Promise<bigint> {
  const [first] = await stream.xrange(STREAM, '-', '+', 'COUNT', 1);
  return streamIdToSeq(first![0])!;
}

async function readyz(http: string): Promise<string> {
  return (await fetch(`${http}/readyz`)).text();
}

describe('cluster-wide history with a PostgreSQL deep archive', { timeout: 240_000 }, () => {
  it('reads 3000 events from either node across the PostgreSQL → stream seam: 0 missing, 0 duplicated, 0 out of order', async () => {
    const { db, url, sql, stream } = await freshCluster();
    try {
      const nodes = await Promise.all([node(db, url), node(db, url)]);
      const [a, b] = nodes.map((n) => n.url('http')!) as [string, string];
      const publishers = await Promise.all(
        nodes.map((n, i) =>
          client(n.url('mqtt')!, { username: 'gerrit', password: 'pw', clientId: `pg-${i}` }),
        ),
      );
      const published = await publish(publishers, 'e', 3000);
      await waitFor(async () => (await archived(sql)) === 3000, 60_000, 'all 3000 events in PostgreSQL');
      // The stream was trimmed: most events are only in PostgreSQL now.
      const length = await stream.xlen(STREAM);
      expect(length).toBeLessThan(2000);
      const seam = await streamFirst(stream);

      const ascA = await searchAll(a, 'asc');
      const fromPostgres = ascA.filter((record) => decodeCursor(record.cursor)! < seam).length;
      console.log(
        `cluster history with postgres: published 3000, stream holds ${length}, ${fromPostgres} read from PostgreSQL; ${JSON.stringify(count(ascA, published))}`,
      );
      expect(fromPostgres).toBeGreaterThan(1000);
      expect(count(ascA, published)).toEqual({ missing: 0, duplicated: 0, outOfOrder: 0 });
      expect(ascA).toHaveLength(3000);
      // Each publisher's events in the order it sent them (the two interleave as redis took them).
      for (const p of [0, 1])
        expect(ascA.map((r) => r.id).filter((id) => Number(id.slice(1)) % 2 === p)).toEqual(
          published.filter((id) => Number(id.slice(1)) % 2 === p),
        );
      expect(await searchAll(b, 'asc')).toEqual(ascA);
      expect(await searchAll(b, 'desc')).toEqual([...ascA].reverse());

      // SSE from the very start on either node: the same 3000 in the same order, then live.
      for (const http of [a, b]) {
        const sse = await openSse(`${http}/v1/stream?since=${START}`);
        expect(sse.status).toBe(200);
        await waitFor(() => sse.events.length >= 3000, 60_000, `3000 events over SSE from ${http}`);
        sse.close();
        const records = sse.events.map((event) => ({
          id: (JSON.parse(event.data) as { event: { id: string } }).event.id,
          cursor: event.id!,
        }));
        expect(count(records, published)).toEqual({ missing: 0, duplicated: 0, outOfOrder: 0 });
        expect(records).toEqual(ascA);
      }

      // A declared key and get-by-id answered by PostgreSQL (these events left the stream).
      const change = await searchAll(b, 'asc', '&change=7001');
      const expected = published.filter((id) => Number(id.slice(1)) % 300 === 100);
      expect(change.map((r) => r.id)).toEqual(expected);
      expect(decodeCursor(change[0]!.cursor)! < seam).toBe(true);
      const first = ascA[0]!;
      expect(decodeCursor(first.cursor)! < seam).toBe(true);
      const byId = await getJson<{ cursor: string; event: { id: string } }>(`${a}/v1/events/${first.id}`);
      expect(byId.status).toBe(200);
      expect(byId.body.cursor).toBe(first.cursor);
      const byCursor = await getJson<{ cursor: string; event: { id: string } }>(
        `${b}/v1/events/${first.cursor}`,
      );
      expect(byCursor.body).toEqual(byId.body);
      expect(await readyz(a)).toBe('ready\n');
    } finally {
      await sql.end();
      stream.disconnect();
    }
  });

  it('PostgreSQL stopped for a while: events wait in the stream, /readyz says degraded, and everything arrives after', async () => {
    const { db, url, sql, stream } = await freshCluster();
    let ended = false;
    try {
      const nodes = await Promise.all([node(db, url), node(db, url)]);
      const [a, b] = nodes.map((n) => n.url('http')!) as [string, string];
      const publishers = await Promise.all(
        nodes.map((n, i) =>
          client(n.url('mqtt')!, { username: 'gerrit', password: 'pw', clientId: `pg-o${i}` }),
        ),
      );
      const before = await publish(publishers, 'b', 1200);
      await waitFor(async () => (await archived(sql)) === 1200, 60_000, '1200 events in PostgreSQL');
      ended = true;
      await sql.end();

      await postgres.pause();
      const during = await publish(publishers, 'd', 300);
      await waitFor(
        async () =>
          (await readyz(a)).startsWith(
            'ready, degraded: history deep archive (history.postgres) unreachable',
          ),
        30_000,
        '/readyz on node A says degraded',
      );
      const degraded = await readyz(b);
      expect(degraded).toMatch(/^ready, degraded: .*events wait in the stream/);
      console.log(`/readyz while PostgreSQL is stopped: ${degraded.trim()}`);
      expect(
        logged.some((line) => line.includes('history.postgres: the deep archive cannot be written')),
      ).toBe(true);
      // Live reads of what the stream still holds go on meanwhile.
      const recent = (await getJson<Page>(`${b}/v1/events?order=desc&limit=10`)).body;
      // (the newest ten are the outage's; the two publishers' events interleave as redis took them)
      expect(recent.events).toHaveLength(10);
      expect(recent.events.every((record) => during.includes(record.event.id))).toBe(true);

      await postgres.resume();
      const again = new pg.Client({ connectionString: url });
      await again.connect();
      try {
        await waitFor(async () => (await archived(again)) === 1500, 60_000, 'all 1500 events in PostgreSQL');
        await waitFor(
          async () => (await readyz(a)) === 'ready\n' && (await readyz(b)) === 'ready\n',
          30_000,
          'ready again',
        );
      } finally {
        await again.end();
      }
      // Push the outage's events out of the stream too: then only PostgreSQL has them.
      const after = await publish(publishers, 'f', 1200);
      const published = [...before, ...during, ...after];
      const seam = await streamFirst(stream);
      const all = await searchAll(a, 'asc');
      const outage = all.filter((record) => record.id.startsWith('d'));
      expect(decodeCursor(outage.at(-1)!.cursor)! < seam).toBe(true);
      expect(count(all, published)).toEqual({ missing: 0, duplicated: 0, outOfOrder: 0 });
      expect(all).toHaveLength(published.length);
      expect(logged.some((line) => line.includes('the deep archive is written again'))).toBe(true);
      expect(logged.filter((line) => line.includes(SECRET))).toEqual([]);
      expect(degraded).not.toContain(SECRET);
    } finally {
      if (!ended) await sql.end();
      stream.disconnect();
    }
  });

  it('a node whose PostgreSQL cannot be reached at start says so in one sentence, starts, and is degraded', async () => {
    const port = await freePort();
    const db = ++databases;
    const broker = await node(db, `postgres://firehose@127.0.0.1:${port}/history`);
    const http = broker.url('http')!;
    expect(
      logged.some((line) =>
        line.includes(
          `history.postgres: the deep archive 127.0.0.1:${port}/history cannot be reached; the broker runs without it`,
        ),
      ),
    ).toBe(true);
    await waitFor(async () => (await readyz(http)).startsWith('ready, degraded:'), 30_000, 'degraded');
    // Recent history is read from the stream meanwhile; a read reaching past it into the deep
    // archive is a 503 (try again), never a page with a hole.
    const publisher = await client(broker.url('mqtt')!, { username: 'gerrit', password: 'pw' });
    const ids = await publish([publisher], 'u', 5);
    const page = (await getJson<Page>(`${http}/v1/events?limit=5`)).body;
    expect(page.events.map((record) => record.event.id)).toEqual([...ids].reverse());
    const past = await getJson<{ error: { code: string } }>(`${http}/v1/events?order=asc`);
    expect([past.status, past.body.error.code]).toEqual([503, 'UNAVAILABLE']);
  });
});
