import Database from 'better-sqlite3';
import { services } from '@firehose/schema';
import { describe, expect, it } from 'vitest';
import { Archive } from '../src/history/archive.js';
import type { ArchiveQuery } from '../src/history/query.js';
import { silentLogger } from '../src/logger.js';
import { archivePath } from './history-broker.js';

function archiveAt(path: string): Archive {
  return new Archive({
    path,
    maxAge: 30 * 86_400,
    maxBytes: 0,
    queue: 100_000,
    logger: silentLogger,
    onOverflow: () => undefined,
    services: () => services,
  });
}

const query = (filters: Partial<ArchiveQuery>): ArchiveQuery => ({
  keys: [],
  order: 'desc',
  limit: 1000,
  scanBudget: 100_000,
  timeBudgetMs: 5000,
  ...filters,
});

/** The archive format the first release wrote (user_version 0), with one event in it. */
const FORMAT_1 = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, topic TEXT NOT NULL, service TEXT NOT NULL,
  type TEXT, id TEXT, event TEXT NOT NULL);
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_service ON events (service, seq);
CREATE INDEX events_id ON events (id);
CREATE INDEX events_time ON events (time);
CREATE TABLE keys (
  name TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, value, seq)
) WITHOUT ROWID;
CREATE INDEX keys_seq ON keys (seq);
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, bytes INTEGER NOT NULL);
INSERT INTO meta VALUES ('run', 1000);
INSERT INTO events VALUES (549755813889001, ${Date.now()}, 'site/old/event', 'site', 'site.old', 'old-1',
  '{"id":"old-1","type":"site.old"}');
`;

function topicsOfRows(rows: { topic: string }[]): string[] {
  return rows.map((row) => row.topic);
}

describe('history archive format', () => {
  it('migrates a first-release archive: its events stay, and topic searches use the new index', async () => {
    const path = archivePath();
    const old = new Database(path);
    old.pragma('journal_mode = WAL');
    old.exec(FORMAT_1);
    old.close();

    const archive = archiveAt(path);
    await archive.open();
    try {
      expect((await archive.get({ id: 'old-1' }))?.topic).toBe('site/old/event');
      expect(topicsOfRows((await archive.search(query({ topic: 'site/old/#' }))).rows)).toEqual([
        'site/old/event',
      ]);
      // A cursor of the old run is never issued again.
      expect(archive.lastSeq > 549_755_813_889_001n).toBe(true);
    } finally {
      await archive.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      const plan = db
        .prepare("EXPLAIN QUERY PLAN SELECT seq FROM events WHERE topic = 'x' AND seq > 0 ORDER BY seq")
        .all() as { detail: string }[];
      expect(plan.map((step) => step.detail).join('; ')).toContain('events_topic');
    } finally {
      db.close();
    }
  });

  it('refuses an archive of a newer format with a sentence naming the file and both formats', async () => {
    const path = archivePath();
    const newer = new Database(path);
    newer.pragma('user_version = 3');
    newer.exec("CREATE TABLE future (x); INSERT INTO future VALUES ('kept')");
    newer.close();

    const archive = archiveAt(path);
    await expect(archive.open()).rejects.toThrow(
      `history: ${path} is an archive of format 3, newer than this broker's (2); run a broker as new as the one that wrote it, or set history.path to another file.`,
    );
    await archive.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(3);
      expect(db.prepare('SELECT x FROM future').pluck().get()).toBe('kept');
    } finally {
      db.close();
    }
  });
});

describe('history topic-filter search', () => {
  it('finds every topic a filter matches, in sequence order, through the index and past its limits', async () => {
    const archive = archiveAt(archivePath());
    await archive.open();
    try {
      const topics = [
        'site/a',
        'site/a/x',
        'site/ab/x',
        'site/a/y/z',
        'site/b/x',
        'site/a/x',
        'site/a0',
        'site/a/',
        'gerrit/a/x',
      ];
      // 70 topics under one prefix: more than one search merges, so it scans by service instead.
      for (let i = 0; i < 70; i++) topics.push(`site/many/${i}`);
      const now = Date.now();
      topics.forEach((topic, i) =>
        archive.accept(topic, Buffer.from(JSON.stringify({ id: `t${i}`, type: `site.t${i % 2}` })), now),
      );
      await archive.caughtUp();

      const search = async (filters: Partial<ArchiveQuery>) =>
        topicsOfRows((await archive.search(query({ order: 'asc', ...filters }))).rows);
      expect(await search({ topic: 'site/a/#' })).toEqual([
        'site/a',
        'site/a/x',
        'site/a/y/z',
        'site/a/x',
        'site/a/',
      ]);
      expect(await search({ topic: 'site/+/x' })).toEqual(['site/a/x', 'site/ab/x', 'site/b/x', 'site/a/x']);
      expect(await search({ topic: 'site/a/+' })).toEqual(['site/a/x', 'site/a/x', 'site/a/']);
      expect(await search({ topic: 'site/a/x' })).toEqual(['site/a/x', 'site/a/x']);
      expect(await search({ topic: '+/a/x' })).toEqual(['site/a/x', 'site/a/x', 'gerrit/a/x']);
      expect(await search({ topic: 'site/nothing/#' })).toEqual([]);
      expect(await search({ topic: 'site/many/#' })).toEqual(
        topics.filter((t) => t.startsWith('site/many/')),
      );
      expect(await search({ topic: 'site/a/#', types: ['site.t1'] })).toEqual([
        'site/a/x',
        'site/a/y/z',
        'site/a/x',
        'site/a/',
      ]);

      // Newest first, a page at a time: the merged sources page by cursor like any search.
      const seen: string[] = [];
      let after: bigint | undefined;
      for (;;) {
        const page = await archive.search(
          query({ topic: 'site/a/#', limit: 2, ...(after === undefined ? {} : { after }) }),
        );
        seen.push(...topicsOfRows(page.rows));
        if (page.next === null) break;
        after = page.next;
      }
      expect(seen).toEqual(['site/a/', 'site/a/x', 'site/a/y/z', 'site/a/x', 'site/a']);
    } finally {
      await archive.close();
    }
  });

  it('merges several types in one search', async () => {
    const archive = archiveAt(archivePath());
    await archive.open();
    try {
      const now = Date.now();
      for (let i = 0; i < 6; i++)
        archive.accept(
          'site/types',
          Buffer.from(JSON.stringify({ id: `m${i}`, type: `site.m${i % 3}` })),
          now,
        );
      await archive.caughtUp();
      const page = await archive.search(query({ types: ['site.m0', 'site.m1'], order: 'asc' }));
      expect(page.rows.map((row) => (JSON.parse(row.event) as { id: string }).id)).toEqual([
        'm0',
        'm1',
        'm3',
        'm4',
      ]);
    } finally {
      await archive.close();
    }
  });

  it('drives topic-filter searches by the (topic, seq) index in its order, and key searches by the keys’ primary key (the archive’s own statements)', async () => {
    const archive = archiveAt(archivePath());
    await archive.open();
    try {
      const now = Date.now();
      ['site/plan/a', 'site/plan/b/x', 'site/other', 'gerrit/plan/a'].forEach((topic, i) =>
        archive.accept(topic, Buffer.from(JSON.stringify({ id: `p${i}`, type: 'site.plan' })), now),
      );
      await archive.caughtUp();
      const plans = async (filters: Partial<ArchiveQuery>) => archive.explain(query(filters));
      for (const filters of [
        { topic: 'site/plan/a' },
        { topic: 'site/plan/#' },
        { topic: 'site/+/a', order: 'asc' as const },
        { topic: 'site/plan/#', types: ['site.plan'], from: now - 60_000 },
        { topic: 'site/plan/#', after: archive.lastSeq },
      ]) {
        const found = await plans(filters);
        const label = JSON.stringify(filters, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        // One statement per matching topic, each a search of the topic index that also gives the
        // seq order (no sort of its own): a page costs what it returns, however large the archive.
        expect(found.length, label).toBeGreaterThan(0);
        for (const steps of found) {
          expect(steps.join('; '), label).toMatch(
            /^SEARCH events USING INDEX events_topic \(topic=\? AND seq>\? AND seq<\?\)$/,
          );
        }
      }
      // site/plan (`#` matches its parent level), site/plan/a and site/plan/b/x.
      expect((await plans({ topic: 'site/plan/#' })).length).toBe(3);
      // A declared key drives before the topic (key + type + time window, key + topic filter): its rows
      // in `keys`, by the primary key's range.
      for (const filters of [
        {
          keys: [['project', 'openstack/nova']] as [string, string][],
          types: ['gerrit.comment-added'],
          from: now - 60_000,
          to: now,
        },
        { keys: [['user', 'ann']] as [string, string][], topic: 'site/plan/#' },
      ])
        expect(await plans(filters)).toEqual([
          ['SEARCH keys USING PRIMARY KEY (name=? AND value=? AND seq>? AND seq<?)'],
        ]);
    } finally {
      await archive.close();
    }
  });
});
