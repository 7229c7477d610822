// @ts-check
// The archive file's format and its write path (docs/architecture.md#history): the schema, its
// version and migrations, the pragmas, and the batched insert. The writer worker
// (archive-worker.js) uses it, and so does `pnpm bench:history` to generate a large archive in bulk
// exactly as the broker writes one. Plain JavaScript for the worker's reason (Node runs it as it is).
import Database from 'better-sqlite3';

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
CREATE TABLE IF NOT EXISTS keys (
  name TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (name, value, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS keys_seq ON keys (seq);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  first_time INTEGER NOT NULL, last_time INTEGER NOT NULL, bytes INTEGER NOT NULL);
`;

/**
 * Opens (creating) the archive for writing.
 * @param {string} path
 */
export function openForWriting(path) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.defaultSafeIntegers(true);
  db.exec(SCHEMA);
  return db;
}

/**
 * Opens the archive for reading (a reader worker's own connection).
 * @param {string} path
 */
export function openForReading(path) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
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
 * ends.
 * @typedef {{ seqs: bigint[]; times: number[]; topics: string[]; ends: Uint32Array; bytes: Uint8Array }} Batch
 */

/**
 * The write path: one transaction per batch, prepared statements, one row in `events` (and its
 * indexes) and one in `keys` per declared key, and the batch's bytes added to its hour's chunk.
 * @param {import('better-sqlite3').Database} db
 * @param {KeyPaths} keyPaths
 * @returns {(batch: Batch) => number} writes a batch, returns the events it archived
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

  return db.transaction((/** @type {Batch} */ batch) => {
    /** @type {Map<number, [bigint, bigint, number, number, number]>} */
    const chunks = new Map();
    let written = 0;
    let start = 0;
    for (let i = 0; i < batch.seqs.length; i++) {
      const seq = /** @type {bigint} */ (batch.seqs[i]);
      const time = /** @type {number} */ (batch.times[i]);
      const topic = /** @type {string} */ (batch.topics[i]);
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
    for (const [chunkId, [first, last, firstTime, lastTime, bytes]] of chunks)
      upsertChunk.run(chunkId, first, last, firstTime, lastTime, bytes);
    return written;
  });
}
