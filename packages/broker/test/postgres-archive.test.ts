import { catalogue } from '@firehose/schema';
import { startPostgres, type PostgresServer } from '@firehose/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresArchive, type ArchivedEvent } from '../src/history/postgres-archive.js';
import type { ArchiveQuery, ArchiveRow } from '../src/history/query.js';
import { firstSeqAt } from '../src/history/stream-id.js';
import { silentLogger } from '../src/logger.js';
import { gerritCommentAdded } from './helpers.js';

let server: PostgresServer;
/** Each test its own database, so that schemas and rows never meet. */
let databases = 0;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

async function freshDatabase(): Promise<string> {
  const name = `archive_${++databases}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}

async function openArchive(url: string, maxAge = 315_360_000): Promise<PostgresArchive> {
  const archive = new PostgresArchive({ url, maxAge, logger: silentLogger, events: () => catalogue });
  await archive.ready();
  return archive;
}

/** An event as the archiver hands it over, stamped `ms` (its stream id's millisecond) + `n`. */
function event(ms: number, n: number, topic: string, body: Record<string, unknown>): ArchivedEvent {
  return { seq: firstSeqAt(ms) + BigInt(n), topic, text: JSON.stringify(body), event: body };
}

function query(q: Partial<ArchiveQuery>): ArchiveQuery {
  return { keys: [], order: 'asc', limit: 1000, scanBudget: 50_000, timeBudgetMs: 10_000, ...q };
}

/** The CloudEvents id of a row's envelope. */
function idOf(row: ArchiveRow): string {
  return (JSON.parse(row.event) as { id: string }).id;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const OCT = Date.UTC(2026, 9, 15, 12);
const NOV = Date.UTC(2026, 10, 3, 8);
const DEC = Date.UTC(2026, 11, 1, 0, 0, 0, 5);

describe('PostgresArchive on a real postgres', { timeout: 60_000 }, () => {
  it('stores batches once (a re-delivered batch inserts nothing), in monthly partitions with their indexes', async () => {
    const url = await freshDatabase();
    const archive = await openArchive(url);
    try {
      const batch = [
        event(OCT, 0, 'site/a', { id: 'a0' }),
        event(OCT, 1, 'site/a', { id: 'a1' }),
        event(NOV, 0, 'site/b', { id: 'b0' }),
        event(DEC, 0, 'site/c', { id: 'c0' }),
      ];
      expect(await archive.insert(batch)).toBe(4);
      // The archiver redelivers a batch whose XACK was lost: nothing doubles.
      expect(await archive.insert(batch)).toBe(0);
      expect(await archive.insert([...batch.slice(2), event(DEC, 1, 'site/c', { id: 'c1' })])).toBe(1);
      const count = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM firehose_events');
      expect(count[0]!.n).toBe('5');

      const partitions = await sql<{ name: string; n: string }>(
        url,
        `SELECT c.relname AS name, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]::text AS n
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
         WHERE p.relname = 'firehose_events' ORDER BY 1`,
      );
      expect(partitions).toEqual([
        { name: 'firehose_events_2026_10', n: '2' },
        { name: 'firehose_events_2026_11', n: '1' },
        { name: 'firehose_events_2026_12', n: '2' },
      ]);
      const indexes = await sql<{ name: string; method: string; definition: string }>(
        url,
        `SELECT c.relname AS name, am.amname AS method, pg_get_indexdef(c.oid) AS definition
         FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_am am ON am.oid = c.relam WHERE t.relname = 'firehose_events_2026_11'`,
      );
      const methodOf = (fragment: string): string[] =>
        indexes.filter((index) => index.definition.includes(fragment)).map((index) => index.method);
      expect(methodOf('(seq)')).toEqual(['btree']);
      expect(methodOf('USING brin ("time")')).toEqual(['brin']);
      expect(methodOf('(type, seq)')).toEqual(['btree']);
      // A b-tree per declared key (contract A): gerrit's change and project among them.
      expect(methodOf("((keys ->> 'change'::text)), seq)")).toEqual(['btree']);
      expect(methodOf("((keys ->> 'project'::text)), seq)")).toEqual(['btree']);

      expect(await archive.bounds()).toEqual({
        oldest: batch[0]!.seq,
        oldestTime: OCT,
        newest: firstSeqAt(DEC) + 1n,
        droppedThrough: undefined,
      });
    } finally {
      await archive.close();
    }
  });

  it('searches by declared key, type, topic and time, pages in both orders, and gets by cursor or id', async () => {
    const url = await freshDatabase();
    const archive = await openArchive(url);
    try {
      const events: ArchivedEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const comment = gerritCommentAdded(1000 + (i % 3));
        events.push(
          event(
            NOV + i,
            0,
            'gerrit/openstack/nova/comment-added',
            comment as unknown as Record<string, unknown>,
          ),
        );
        events.push(event(NOV + i, 1, `site/n${i % 2}`, { id: `s${i}`, type: 'site.thing' }));
      }
      expect(await archive.insert(events)).toBe(60);

      const change1001 = await archive.search(query({ keys: [['change', '1001']] }));
      expect(change1001.next).toBeNull();
      expect(change1001.rows.map((row) => row.seq)).toEqual(
        events.filter((_, i) => i % 2 === 0 && (i / 2) % 3 === 1).map((e) => e.seq),
      );
      expect(change1001.rows[0]!.event).toBe(events[2]!.text);
      expect(change1001.rows[0]!.type).toBe('gerrit.comment-added');
      // An undeclared key finds nothing (the API refuses it before it gets here).
      expect((await archive.search(query({ keys: [['nokey', '1']] }))).rows).toEqual([]);

      const byType = await archive.search(query({ types: ['site.thing'], order: 'desc', limit: 7 }));
      expect(byType.rows.map((row) => idOf(row))).toEqual(['s29', 's28', 's27', 's26', 's25', 's24', 's23']);
      const more = await archive.search(
        query({ types: ['site.thing'], order: 'desc', limit: 100, after: byType.next! }),
      );
      expect(more.rows).toHaveLength(23);
      expect(more.next).toBeNull();

      const byTopic = await archive.search(query({ topic: 'site/n1' }));
      expect(byTopic.rows.map((row) => idOf(row))).toEqual(
        Array.from({ length: 15 }, (_, i) => `s${2 * i + 1}`),
      );
      // `until` (the stream's seam) and `from`/`to` bound a search.
      const until = await archive.search(query({ service: 'site', until: events[9]!.seq }));
      expect(until.rows.map((row) => row.seq)).toEqual([1, 3, 5, 7, 9].map((i) => events[i]!.seq));
      const window = await archive.search(query({ service: 'site', from: NOV + 10, to: NOV + 12 }));
      expect(window.rows.map((row) => idOf(row))).toEqual(['s10', 's11', 's12']);
      // A small scan budget stops early with `next`, never a wrong answer.
      const budget = await archive.search(query({ topic: 'site/n1', scanBudget: 10 }));
      expect(budget.next).not.toBeNull();
      const rest = await archive.search(query({ topic: 'site/n1', after: budget.next! }));
      expect([...budget.rows, ...rest.rows].map((row) => row.seq)).toEqual(
        byTopic.rows.map((row) => row.seq),
      );

      expect(await archive.get({ seq: events[5]!.seq })).toEqual({
        seq: events[5]!.seq,
        topic: 'site/n0',
        type: 'site.thing',
        event: events[5]!.text,
      });
      expect((await archive.get({ id: 's7' }))?.seq).toBe(events[15]!.seq);
      expect(await archive.get({ id: 'nope' })).toBeUndefined();
      expect(await archive.get({ seq: 1n })).toBeUndefined();
    } finally {
      await archive.close();
    }
  });

  it('drops whole months past maxAge and remembers where it dropped', async () => {
    const url = await freshDatabase();
    const archive = await openArchive(url, 40 * 86_400);
    try {
      await archive.insert([event(OCT, 0, 'site/a', { id: 'old' }), event(NOV, 0, 'site/a', { id: 'kept' })]);
      // 40 days before Dec 20 is Nov 10: October ended before it, November did not.
      await archive.retain(Date.UTC(2026, 11, 20));
      const rows = await archive.search(query({}));
      expect(rows.rows.map((row) => idOf(row))).toEqual(['kept']);
      expect((await archive.bounds()).droppedThrough).toBe(firstSeqAt(Date.UTC(2026, 10, 1)) - 1n);
      // A second node creating the schema again (a restart) leaves everything as it is.
      const again = await openArchive(url);
      await again.close();
      expect((await archive.search(query({}))).rows).toHaveLength(1);
    } finally {
      await archive.close();
    }
  });

  it('fails with the database named when PostgreSQL cannot be reached', async () => {
    const archive = new PostgresArchive({
      url: `postgres://firehose@127.0.0.1:${server.port}/no_such_database`,
      maxAge: 60,
      logger: silentLogger,
      events: () => catalogue,
    });
    try {
      await expect(archive.ready()).rejects.toThrow(/no_such_database/);
    } finally {
      await archive.close();
    }
  });
});
