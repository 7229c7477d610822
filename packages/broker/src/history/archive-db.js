// @ts-check
// The archive file's format and its write path (docs/architecture.md#history): the schema, its
// version and migrations, the pragmas, and the batched insert. The writer worker
// (archive-worker.js) uses it, and so does `pnpm bench:history` to generate a large archive in bulk
// exactly as the broker writes one. Plain JavaScript for the worker's reason (Node runs it as it is).
import Database from 'better-sqlite3';

/**
 * The archive format this broker writes (SQLite's user_version). 1: the first (user_version 0, no
 * version stored). 2: adds the (topic, seq) index, which drives topic-filter searches.
 */
const FORMAT = 2;

/** One retention chunk per hour of accept time: retention drops whole chunks. */
const CHUNK_MS = 3_600_000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, topic TEXT NOT NULL, service TEXT NOT NULL,
  type TEXT, id TEXT, event TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_type ON events (type, seq);
CREATE INDEX IF NOT EXISTS events_service ON events (service, seq);
CREATE INDEX IF NOT EXISTS events_id ON events (id);
CREATE INDEX IF NOT EXISTS events_time ON events (time);
CREATE INDEX IF NOT EXISTS events_topic ON events (topic, seq);
CREATE TABLE IF NOT EXISTS keys (
  name TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, value, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_seq ON keys (seq);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, bytes INTEGER NOT NULL);
`;

/**
 * The refusal of a file of a newer format than this broker's: it would not keep what that adds.
 * @param {string} path
 * @param {number} version
 */
const newerFormat = (path, version) =>
  new Error(
    `history: ${path} is an archive of format ${version}, newer than this broker's (${FORMAT}); run a broker as new as the one that wrote it, or set history.path to another file.`,
  );

/**
 * Opens (creating) the archive for writing and brings it to FORMAT: a format 1 file gains the
 * topic index, built once at this open (seconds per million events); a newer one is refused.
 * @param {string} path
 * @returns {{ db: import('better-sqlite3').Database; migratedFrom: number | undefined }}
 */
export function openForWriting(path) {
  const db = new Database(path);
  try {
    const version = /** @type {number} */ (db.pragma('user_version', { simple: true }));
    if (version > FORMAT) throw newerFormat(path, version);
    const old =
      version < FORMAT &&
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
    db.pragma('journal_mode = WAL');
    // In WAL, NORMAL makes a commit durable at the next checkpoint: a crash loses at most the last
    // batches (which were delivered live); the run that makes cursors unique is written with FULL.
    db.pragma('synchronous = NORMAL');
    // Each index's hot leaves (the newest of each, the topics' and keys' current pages) stay cached.
    db.pragma('cache_size = -32768');
    // A checkpoint every 10,000 WAL pages (40 MB), not SQLite's 1,000: a page the indexes dirty
    // again and again (their newest leaves) is copied back to the file once per checkpoint, so
    // fewer checkpoints write less (the WAL file stays that size on disk).
    db.pragma('wal_autocheckpoint = 10000');
    db.defaultSafeIntegers(true);
    db.transaction(() => {
      db.exec(SCHEMA);
      db.pragma(`user_version = ${FORMAT}`);
    })();
    return { db, migratedFrom: old ? Math.max(version, 1) : undefined };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Opens the archive for reading (a reader worker's own connection, after the writer brought the
 * file to FORMAT).
 * @param {string} path
 */
export function openForReading(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  const version = /** @type {number} */ (db.pragma('user_version', { simple: true }));
  if (version !== FORMAT) {
    db.close();
    throw version > FORMAT
      ? newerFormat(path, version)
      : new Error(`history: ${path} is not yet of format ${FORMAT}`);
  }
  db.pragma('cache_size = -32768');
  db.defaultSafeIntegers(true);
  return db;
}

/**
 * Key paths by CloudEvents type, each path split once.
 * @param {Record<string, Record<string, string>>} keys search keys by type (`EventType.keys`)
 * @returns {KeyPaths}
 */
export function keyPathsOf(keys) {
  return new Map(
    Object.entries(keys).map(([type, byName]) => [
      type,
      Object.entries(byName).map(([name, path]) => /** @type {const} */ ([name, path.split('.')])),
    ]),
  );
}

/** @typedef {Map<string, (readonly [string, string[]])[]>} KeyPaths */

/**
 * @param {unknown} root
 * @param {readonly string[]} keys
 */
function readKeys(root, keys) {
  let current = root;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = /** @type {Record<string, unknown>} */ (current)[key];
  }
  return current;
}

/**
 * The declared search keys of an event, as [name, value] strings.
 * @param {KeyPaths} keyPaths
 * @param {Record<string, unknown>} event
 * @returns {[string, string][]}
 */
export function keysOf(keyPaths, event) {
  const paths = typeof event.type === 'string' ? keyPaths.get(event.type) : undefined;
  if (paths === undefined) return [];
  /** @type {[string, string][]} */
  const found = [];
  for (const [name, path] of paths) {
    const value = readKeys(event.data, path);
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      found.push([name, String(value)]);
  }
  return found;
}

/** @param {string} topic */
export const serviceOf = (topic) => {
  const slash = topic.indexOf('/');
  return slash === -1 ? topic : topic.slice(0, slash);
};

/**
 * A batch as the broker sends it: the payloads back to back in `bytes`, `ends[i]` where the i-th
 * ends; the topics either a list, or joined in one string with `topicEnds[i]` where the i-th ends.
 * @typedef {{ seqs: ArrayLike<bigint>; times: ArrayLike<number>; ends: Uint32Array; bytes: Uint8Array }
 *   & ({ topics: string[]; topicEnds?: undefined } | { topics: string; topicEnds: Uint32Array })} Batch
 */

/**
 * The write path: one transaction per call (a group commit of its batches), prepared statements,
 * one row in `events` (and its indexes) and one in `keys` per declared key, and the bytes added to
 * their hour's chunk.
 * @param {import('better-sqlite3').Database} db
 * @param {KeyPaths} keyPaths
 * @returns {(batches: Batch[]) => number} writes the batches, returns the events it archived
 */
export function batchWriter(db, keyPaths) {
  const insertEvent = db.prepare(
    'INSERT OR IGNORE INTO events (seq, time, topic, service, type, id, event) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertKey = db.prepare('INSERT OR IGNORE INTO keys (name, value, seq) VALUES (?, ?, ?)');
  const upsertChunk = db.prepare(`INSERT INTO chunks (id, first_seq, last_seq, first_time, last_time, bytes)
    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET
    first_seq = min(first_seq, excluded.first_seq), last_seq = max(last_seq, excluded.last_seq),
    first_time = min(first_time, excluded.first_time), last_time = max(last_time, excluded.last_time),
    bytes = bytes + excluded.bytes`);
  const decoder = new TextDecoder('utf-8', { fatal: true });

  return db.transaction((/** @type {Batch[]} */ batches) => {
    /** @type {Map<number, [bigint, bigint, number, number, number]>} */
    const chunks = new Map();
    let written = 0;
    for (const batch of batches) {
      const { topics, topicEnds } = batch;
      let start = 0;
      let topicStart = 0;
      for (let i = 0; i < batch.ends.length; i++) {
        const seq = /** @type {bigint} */ (batch.seqs[i]);
        const time = /** @type {number} */ (batch.times[i]);
        let topic;
        if (topicEnds === undefined) topic = /** @type {string} */ (topics[i]);
        else {
          const topicEnd = /** @type {number} */ (topicEnds[i]);
          topic = topics.slice(topicStart, topicEnd);
          topicStart = topicEnd;
        }
        const end = /** @type {number} */ (batch.ends[i]);
        const payload = batch.bytes.subarray(start, end);
        start = end;
        let text;
        /** @type {Record<string, unknown>} */
        let event;
        try {
          text = decoder.decode(payload);
          event = JSON.parse(text);
        } catch {
          continue; // not JSON (an undeclared topic's raw payload): delivered, not archived
        }
        if (event === null || typeof event !== 'object' || Array.isArray(event)) continue;
        const type = typeof event.type === 'string' ? event.type : null;
        const id = typeof event.id === 'string' ? event.id : null;
        insertEvent.run(seq, time, topic, serviceOf(topic), type, id, text);
        for (const [name, value] of keysOf(keyPaths, event)) insertKey.run(name, value, seq);
        written++;
        const chunkId = Math.floor(time / CHUNK_MS);
        const bytes = payload.length + topic.length + 64;
        const chunk = chunks.get(chunkId);
        if (chunk === undefined) chunks.set(chunkId, [seq, seq, time, time, bytes]);
        else {
          chunk[1] = seq;
          chunk[3] = time;
          chunk[4] += bytes;
        }
      }
    }
    for (const [chunkId, [first, last, firstTime, lastTime, bytes]] of chunks)
      upsertChunk.run(chunkId, first, last, firstTime, lastTime, bytes);
    return written;
  });
}
