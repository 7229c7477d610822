// @ts-check
// The archive's SQLite side (docs/architecture.md#history), in a worker_thread so that no SQLite call
// ever runs on the broker's event loop. One file, two roles (workerData.role): the writer owns the
// schema, the batched inserts and retention; readers answer queries on their own read-only
// connection (WAL lets them read while the writer writes). Plain JavaScript with JSDoc, because a
// worker is started from a file that Node runs as it is, both from the package's src/ (tests) and
// its dist/; it imports nothing of the workspace (only archive-db.js beside it), so it needs no build step.
import { parentPort, workerData } from 'node:worker_threads';
import { batchWriter, keyPathsOf, keysOf, openForReading, openForWriting, serviceOf } from './archive-db.js';

/**
 * @typedef {{ role: 'writer' | 'reader'; path: string; keys: Record<string, Record<string, string>>;
 *   maxAge: number; maxBytes: number }} WorkerSetup
 * @typedef {import('./archive-db.js').Batch} Batch
 */

const setup = /** @type {WorkerSetup} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** Distinct topics a topic filter's search may seek past on the topic index, at most. */
const TOPIC_SEEKS = 512;
/** Topics one search merges, at most (one index cursor each). */
const TOPIC_SOURCES = 64;
/** Rows one retention step deletes, so a large chunk never holds the writer for long. */
const DELETE_STEP = 20_000;
/** Events one group commit takes, about (whole batches: the last one may pass it). */
const GROUP = 20_000;

const keyPaths = keyPathsOf(setup.keys);

/**
 * Whether the MQTT filter matches the topic (`+` one level, `#` the rest, also the parent level).
 * @param {string} filter
 * @param {string} topic
 */
function topicMatches(filter, topic) {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

function writer() {
  const { db, migratedFrom } = openForWriting(setup.path);
  const getMeta = db.prepare('SELECT value FROM meta WHERE name = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  );
  const write = batchWriter(db, keyPaths);

  const oldestChunk = db.prepare('SELECT id, first_seq, last_seq, last_time FROM chunks ORDER BY id LIMIT 1');
  const totalBytes = db.prepare('SELECT coalesce(sum(bytes), 0) AS bytes, count(*) AS chunks FROM chunks');
  const deleteEvents = db.prepare(
    'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE seq BETWEEN ? AND ? LIMIT ?)',
  );
  const deleteKeys = db.prepare(
    'DELETE FROM keys WHERE seq IN (SELECT seq FROM keys WHERE seq BETWEEN ? AND ? LIMIT ?)',
  );
  const deleteChunk = db.prepare('DELETE FROM chunks WHERE id = ?');
  /** The chunk being dropped, kept across steps. */
  let dropping = /** @type {{ id: bigint; first: bigint; last: bigint } | undefined} */ (undefined);

  /** One bounded retention step; true when there is more to do. */
  function retentionStep() {
    if (dropping === undefined) {
      const oldest =
        /** @type {{ id: bigint; first_seq: bigint; last_seq: bigint; last_time: bigint } | undefined} */ (
          oldestChunk.get()
        );
      if (oldest === undefined) return false;
      const { bytes, chunks } = /** @type {{ bytes: bigint; chunks: bigint }} */ (totalBytes.get());
      const tooOld = Number(oldest.last_time) < Date.now() - setup.maxAge * 1000;
      // The newest chunk is never dropped for size: it is still being written.
      const tooBig = setup.maxBytes > 0 && Number(bytes) > setup.maxBytes && chunks > 1n;
      if (!tooOld && !tooBig) return false;
      dropping = { id: oldest.id, first: oldest.first_seq, last: oldest.last_seq };
    }
    const { id, first, last } = dropping;
    const more = db.transaction(() => {
      const events = deleteEvents.run(first, last, DELETE_STEP).changes;
      const keys = deleteKeys.run(first, last, DELETE_STEP * 4).changes;
      if (events === 0 && keys === 0) {
        deleteChunk.run(id);
        return false;
      }
      return true;
    })();
    if (!more) {
      dropping = undefined;
      // Readers tell a cursor from before retention (event: reset) by this.
      setMeta.run('dropped_through', last);
      port.postMessage({ kind: 'dropped', chunk: Number(id), through: last });
    }
    return true;
  }

  /** @type {Batch[]} */
  const queue = [];
  let retentionDue = true;
  let working = false;
  // Writes first, a retention step between group commits: the archive's tail is never waiting on
  // a delete. Each wake-up commits every batch queued meanwhile in one transaction (a group
  // commit: under load the batches pile up while the last commit runs, and one commit of all of
  // them costs less than one each), at most GROUP events at a time. Each commit makes retention
  // due (two reads of the small chunks table), so the size limit holds as the archive grows, and
  // the age limit is checked at least every minute besides.
  function work() {
    working = true;
    if (queue.length > 0) {
      let events = 0;
      let take = 0;
      while (take < queue.length && (take === 0 || events < GROUP)) {
        events += /** @type {Batch} */ (queue[take]).ends.length;
        take++;
      }
      const batches = queue.splice(0, take);
      const count = write(batches);
      port.postMessage({ kind: 'written', batches: batches.length, count });
      retentionDue = true;
    } else if (retentionDue) {
      retentionDue = retentionStep();
    }
    if (queue.length > 0 || retentionDue) setImmediate(work);
    else working = false;
  }
  const kick = () => {
    if (!working) setImmediate(work);
  };
  setInterval(() => {
    retentionDue = true;
    kick();
  }, 60_000).unref();

  port.on('message', (/** @type {any} */ message) => {
    switch (message.kind) {
      case 'write':
        queue.push(message);
        kick();
        break;
      case 'run':
        // Durable before the broker issues a number of this run: cursors are never issued twice.
        db.pragma('synchronous = FULL');
        setMeta.run('run', BigInt(message.run));
        db.pragma('synchronous = NORMAL');
        port.postMessage({ kind: 'run-stored' });
        break;
      case 'close':
        if (queue.length > 0) write(queue.splice(0));
        db.close();
        port.postMessage({ kind: 'closed' });
        port.close();
        break;
      default:
        break;
    }
  });
  const stored = /** @type {{ value: bigint } | undefined} */ (getMeta.get('run'));
  port.postMessage({ kind: 'ready', storedRun: stored ? Number(stored.value) : 0, migratedFrom });
  // An archive opened after a long stop may hold chunks past retention: drop them without waiting.
  kick();
}

/**
 * @typedef {{ types?: string[]; service?: string; topic?: string; keys: [string, string][];
 *   from?: number; to?: number; order: 'asc' | 'desc'; limit: number; after?: bigint; until?: bigint;
 *   scanBudget: number; timeBudgetMs: number }} Query
 * @typedef {{ seq: bigint; topic: string; type: string | null; event: string }} Row
 */

function reader() {
  const db = openForReading(setup.path);
  const byPk = db.prepare('SELECT seq, topic, type, event FROM events WHERE seq = ?');
  const byId = db.prepare('SELECT seq, topic, event FROM events WHERE id = ? ORDER BY seq LIMIT 1');
  const firstAt = db.prepare('SELECT seq FROM events WHERE time >= ? ORDER BY time, seq LIMIT 1');
  const lastAt = db.prepare('SELECT seq FROM events WHERE time <= ? ORDER BY time DESC, seq DESC LIMIT 1');
  const oldest = db.prepare('SELECT seq, time FROM events ORDER BY seq LIMIT 1');
  const droppedThrough = db.prepare("SELECT value FROM meta WHERE name = 'dropped_through'");
  const newest = db.prepare('SELECT seq FROM events ORDER BY seq DESC LIMIT 1');
  /** @type {Map<string, import('better-sqlite3').Statement>} */
  const statements = new Map();
  /**
   * A cached statement; `copy` tells apart statements of the same SQL iterated at once (a merge of
   * several sources), since a better-sqlite3 statement runs one query at a time.
   * @param {string} sql
   */
  const prepared = (sql, copy = 0) => {
    const key = `${copy}:${sql}`;
    let statement = statements.get(key);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(key, statement);
    }
    return statement;
  };

  const nextTopic = db.prepare(
    'SELECT topic FROM events INDEXED BY events_topic WHERE topic > ? AND topic < ? ORDER BY topic LIMIT 1',
  );
  nextTopic.safeIntegers(false);

  /**
   * The archived topics an MQTT filter matches, found on the (topic, seq) index by seeking from one
   * distinct topic to the next under the filter's literal prefix (its levels before the first
   * wildcard); undefined when the filter has no literal prefix or the prefix holds more than
   * TOPIC_SEEKS distinct topics (a broad filter: scanning by service or type finds matches densely
   * enough), or more than TOPIC_SOURCES match.
   * @param {string} filter
   * @returns {string[] | undefined}
   */
  function topicsOf(filter) {
    const levels = filter.split('/');
    const wild = levels.findIndex((level) => level === '+' || level === '#');
    if (wild === -1) return [filter];
    if (wild === 0) return undefined;
    const literal = levels.slice(0, wild).join('/');
    // `#` also matches its parent level ("a/#" matches "a").
    /** @type {string[]} */
    const found = levels[wild] === '#' ? [literal] : [];
    // Every topic under `literal/` sorts after `literal` and before `literal0` ('0' is '/' + 1).
    const upper = `${literal}0`;
    let after = literal;
    for (let seeks = 0; ; seeks++) {
      if (seeks >= TOPIC_SEEKS) return undefined;
      const row = /** @type {{ topic: string } | undefined} */ (nextTopic.get(after, upper));
      if (row === undefined) break;
      if (topicMatches(filter, row.topic)) {
        found.push(row.topic);
        if (found.length > TOPIC_SOURCES) return undefined;
      }
      after = row.topic;
    }
    return found;
  }

  /**
   * The statements of a search's driving index, each yielding seqs (with their rows when the
   * source has them) in order, within [lo, hi]: the first key's rows in `keys`, else the topics a
   * filter matches on the (topic, seq) index, else the types, else the service, else every event.
   * @param {Query} q
   * @param {bigint} lo
   * @param {bigint} hi
   * @returns {{ sql: string; params: unknown[] }[]}
   */
  function sourceQueries(q, lo, hi) {
    const dir = q.order === 'asc' ? 'ASC' : 'DESC';
    const range = 'seq BETWEEN ? AND ?';
    const first = q.keys[0];
    if (first !== undefined) {
      const sql = `SELECT seq FROM keys WHERE name = ? AND value = ? AND ${range} ORDER BY seq ${dir}`;
      return [{ sql, params: [first[0], first[1], lo, hi] }];
    }
    const rows = `SELECT seq, topic, type, event FROM events`;
    const topics = q.topic === undefined ? undefined : topicsOf(q.topic);
    if (topics !== undefined) {
      const sql = `${rows} INDEXED BY events_topic WHERE topic = ? AND ${range} ORDER BY seq ${dir}`;
      return topics.map((topic) => ({ sql, params: [topic, lo, hi] }));
    }
    if (q.types !== undefined && q.types.length > 0) {
      const sql = `${rows} WHERE type = ? AND ${range} ORDER BY seq ${dir}`;
      return q.types.map((type) => ({ sql, params: [type, lo, hi] }));
    }
    const literal = q.topic === undefined ? undefined : q.topic.split('/')[0];
    const service = q.service ?? (literal === '+' || literal === '#' ? undefined : literal);
    if (service !== undefined) {
      const sql = `${rows} WHERE service = ? AND ${range} ORDER BY seq ${dir}`;
      return [{ sql, params: [service, lo, hi] }];
    }
    return [{ sql: `${rows} WHERE ${range} ORDER BY seq ${dir}`, params: [lo, hi] }];
  }

  /**
   * The driving index's sources of a search, iterating (one statement copy each, since they are
   * merged at once).
   * @param {Query} q
   * @param {bigint} lo
   * @param {bigint} hi
   * @returns {IterableIterator<{ seq: bigint; topic?: string; event?: string }>[]}
   */
  function sources(q, lo, hi) {
    return sourceQueries(q, lo, hi).map(
      ({ sql, params }, i) =>
        /** @type {IterableIterator<{ seq: bigint; topic?: string; event?: string }>} */ (
          prepared(sql, i).iterate(...params)
        ),
    );
  }

  /**
   * A search's sequence range: from its window, cursor and `until`; undefined when it is empty.
   * @param {Query} q
   * @returns {[bigint, bigint] | undefined}
   */
  function rangeOf(q) {
    const asc = q.order === 'asc';
    let lo = 0n;
    let hi = 0x7fffffffffffffffn;
    if (q.from !== undefined) {
      const row = /** @type {{ seq: bigint } | undefined} */ (firstAt.get(q.from));
      if (row === undefined) return undefined;
      lo = row.seq;
    }
    if (q.to !== undefined) {
      const row = /** @type {{ seq: bigint } | undefined} */ (lastAt.get(q.to));
      if (row === undefined) return undefined;
      hi = row.seq;
    }
    if (q.after !== undefined) {
      if (asc && q.after + 1n > lo) lo = q.after + 1n;
      if (!asc && q.after - 1n < hi) hi = q.after - 1n;
    }
    if (q.until !== undefined && q.until < hi) hi = q.until;
    return lo > hi ? undefined : [lo, hi];
  }

  /**
   * How SQLite runs a search's driving statements (EXPLAIN QUERY PLAN, one list of steps each):
   * the tests hold the searches to their indexes with it.
   * @param {Query} q
   */
  function explain(q) {
    const range = rangeOf(q);
    if (range === undefined) return [];
    return sourceQueries(q, range[0], range[1]).map(({ sql, params }) =>
      /** @type {{ detail: string }[]} */ (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params)).map(
        (step) => step.detail,
      ),
    );
  }

  /**
   * Merges several ordered sources into one ordered sequence (types are one source each).
   * @param {IterableIterator<{ seq: bigint; topic?: string; event?: string }>[]} list
   * @param {boolean} asc
   */
  function* merged(list, asc) {
    const heads = list.map((it) => it.next());
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i];
        if (head === undefined || head.done) continue;
        const current = best === -1 ? undefined : heads[best];
        if (
          current === undefined ||
          current.done ||
          (asc ? head.value.seq < current.value.seq : head.value.seq > current.value.seq)
        )
          best = i;
      }
      if (best === -1) return;
      const head = /** @type {IteratorYieldResult<{ seq: bigint; topic?: string; event?: string }>} */ (
        heads[best]
      );
      yield head.value;
      heads[best] = /** @type {IterableIterator<{ seq: bigint }>} */ (list[best]).next();
    }
  }

  /** @param {Query} q */
  function search(q) {
    const started = Date.now();
    const asc = q.order === 'asc';
    /** @type {{ seq: bigint; topic: string; event: string }[]} */
    const rows = [];
    const range = rangeOf(q);
    if (range === undefined) return { rows, next: null };
    const [lo, hi] = range;
    const list = sources(q, lo, hi);
    const types = q.types !== undefined && q.types.length > 0 ? new Set(q.types) : undefined;
    // The first key drives the scan (sources()); the others are checked on each row.
    const moreKeys = q.keys.slice(1);
    let scanned = 0;
    let last = /** @type {bigint | undefined} */ (undefined);
    let exhausted = true;
    for (const found of merged(list, asc)) {
      if (scanned >= q.scanBudget || (scanned % 256 === 255 && Date.now() - started > q.timeBudgetMs)) {
        exhausted = false;
        break;
      }
      scanned++;
      last = found.seq;
      const row =
        found.event === undefined
          ? /** @type {Row | undefined} */ (byPk.get(found.seq))
          : /** @type {Row} */ (found);
      if (row === undefined) continue;
      if (q.service !== undefined && serviceOf(row.topic) !== q.service) continue;
      if (q.topic !== undefined && !topicMatches(q.topic, row.topic)) continue;
      if (types !== undefined && (row.type === null || !types.has(row.type))) continue;
      if (moreKeys.length > 0) {
        const keys = new Map(keysOf(keyPaths, JSON.parse(row.event)));
        if (!moreKeys.every(([name, value]) => keys.get(name) === value)) continue;
      }
      rows.push({ seq: row.seq, topic: row.topic, event: row.event });
      if (rows.length >= q.limit) {
        exhausted = false;
        break;
      }
    }
    for (const it of list) it.return?.();
    // `next` is where the scan stopped: a full page, or the budget spent (never a timeout).
    return { rows, next: exhausted || last === undefined ? null : last, scanned };
  }

  port.on('message', (/** @type {any} */ message) => {
    try {
      let result;
      if (message.kind === 'search') result = search(message.query);
      else if (message.kind === 'explain') result = explain(message.query);
      else if (message.kind === 'get') {
        result = message.seq !== undefined ? byPk.get(message.seq) : byId.get(message.id);
      } else if (message.kind === 'bounds') {
        const a = /** @type {{ seq: bigint; time: bigint } | undefined} */ (oldest.get());
        const b = /** @type {{ seq: bigint } | undefined} */ (newest.get());
        const d = /** @type {{ value: bigint } | undefined} */ (droppedThrough.get());
        result = {
          oldest: a?.seq,
          oldestTime: a === undefined ? undefined : Number(a.time),
          newest: b?.seq,
          droppedThrough: d?.value,
        };
      } else if (message.kind === 'close') {
        db.close();
        port.close();
        return;
      }
      port.postMessage({ kind: 'result', ask: message.ask, result });
    } catch (error) {
      port.postMessage({
        kind: 'result',
        ask: message.ask,
        error: String(/** @type {Error} */ (error).message),
      });
    }
  });
  port.postMessage({ kind: 'ready' });
}

if (setup.role === 'writer') writer();
else reader();
