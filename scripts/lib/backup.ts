/**
 * Backup and restore of the whole database as one gzip'd file of EJSON lines (canonical
 * mode, so Dates, Binary payloads, int32/int64/double and nulls come back exactly as stored).
 * Used by scripts/backup.ts and scripts/restore.ts, and by test/integration/backup.test.ts.
 *
 * The file, one JSON object with one key per line:
 *   {"header":{"format":"gate-duty-backup","version":1,"createdAt":…,"database":…,"collections":[…]}}
 *   {"collection":{"name":"solves","options":{…},"indexes":[…]}}
 *   {"d":<document>}                                  … every document of that collection
 *   {"collection":{"name":…}} {"d":…} …                 … every other collection
 *   {"end":{"counts":{"solves":12,…},"documents":N}}  … a file without it is refused
 *
 * Every collection the database lists is copied, not a fixed list, with its indexes. There
 * are no transactions (FerretDB has none), so a backup taken while the service runs reads the
 * control collections first: the small documents whose insert or update commits a change
 * (pointers, revisions, leases and their journals, the live publish state). Then it reads
 * every other collection, then the control documents again; if any moved (beyond a lease's
 * heartbeat) it starts again. What it keeps is then the committed state at the first read,
 * plus at most the uncommitted part of a write in flight, which is what a crash would leave
 * and what the service's own recovery finishes or drops. The control collections are written
 * last, so a restore writes them after what they point to.
 */
import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import mongoose, { type Connection, type mongo } from 'mongoose';
import type { AnyModel } from '../../src/db/models.js';
import { wireModels } from '../../src/wiring.js';

const { EJSON } = mongoose.mongo.BSON;

export const BACKUP_FORMAT = 'gate-duty-backup';
export const BACKUP_VERSION = 1;

/** Read documents as stored: no promotion of int32/int64/double wrappers or binary data. */
const RAW_READ = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;
/** Restore inserts at most this many documents, or about this many bytes of EJSON, at once. */
const CHUNK_DOCS = 1000;
const CHUNK_BYTES = 8 * 1024 * 1024;

export interface CollectionHeader {
  name: string;
  options: Record<string, unknown>;
  indexes: Record<string, unknown>[];
}

export interface BackupSummary {
  file: string;
  bytes: number;
  database: string;
  counts: Record<string, number>;
  documents: number;
  attempts: number;
  ms: number;
}

export interface RestoreSummary {
  file: string;
  database: string;
  /** The backup's header. */
  createdAt: Date;
  sourceDatabase: string;
  counts: Record<string, number>;
  documents: number;
  /** Collections that --force dropped first (with their document counts). */
  dropped: Record<string, number>;
  ms: number;
}

/** A restore that would overwrite data, or a file that is not a complete backup. */
export class BackupError extends Error {
  override name = 'BackupError';
}

type Log = (line: string) => void;
type Doc = Record<string, unknown>;

// ---------------------------------------------------------------------------------------
// Backup
// ---------------------------------------------------------------------------------------

/**
 * The models whose documents commit changes (see the header). Named by model, so the list
 * follows src/db/models.ts; a model that does not exist is skipped.
 */
export const CONTROL_MODELS = ['Meta', 'Plan', 'Generation', 'ActiveSolve', 'Lease'] as const;
/** Fields that change without committing anything: timestamps and lease heartbeats. */
const VOLATILE_FIELDS = new Set(['updatedAt', 'expiresAt']);

/** Writes every collection of `connection`'s database to `file` (atomically: tmp + rename). */
export async function backupDatabase(
  connection: Connection,
  file: string,
  options: {
    log?: Log;
    maxAttempts?: number;
    /** Tests: runs after each read, before the control check. */ afterRead?: (attempt: number) => Promise<void>;
  } = {},
): Promise<BackupSummary> {
  const started = Date.now();
  const db = dbOf(connection);
  const log = options.log ?? (() => undefined);
  const maxAttempts = options.maxAttempts ?? 8;
  const tmp = `${file}.partial-${process.pid}`;
  wireModels(connection);
  const control = CONTROL_MODELS.map((name) => connection.models[name]?.collection.collectionName).filter((n): n is string => !!n);
  try {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const before = await readControl(db, control);
      const written = await writeBackupFile(db, before, tmp);
      await options.afterRead?.(attempt);
      const after = await readControl(db, control);
      const moved = [...before.keys()].filter((name) => fingerprint(before.get(name) ?? []) !== fingerprint(after.get(name) ?? []));
      if (moved.length === 0) {
        renameSync(tmp, file);
        return { file, bytes: statSync(file).size, database: db.databaseName, ...written, attempts: attempt, ms: Date.now() - started };
      }
      log(`${moved.join(', ')} changed while the backup read the database (a write was committed); reading it again`);
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5000)));
    }
    throw new BackupError(`the database kept changing during ${maxAttempts} attempts (uploads, solves or publishes committing); try again when it is quieter`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

async function readControl(db: mongo.Db, names: string[]): Promise<Map<string, Doc[]>> {
  const read = new Map<string, Doc[]>();
  for (const name of names) read.set(name, await db.collection(name).find({}, RAW_READ).sort({ _id: 1 }).toArray());
  return read;
}

function fingerprint(docs: Doc[]): string {
  return EJSON.stringify(
    docs.map((doc) => Object.fromEntries(Object.entries(doc).filter(([key]) => !VOLATILE_FIELDS.has(key)))),
    { relaxed: false },
  );
}

async function writeBackupFile(db: mongo.Db, control: Map<string, Doc[]>, tmp: string): Promise<Pick<BackupSummary, 'counts' | 'documents'>> {
  const listed = (await db.listCollections({}, { nameOnly: false }).toArray()) as { name: string; type?: string; options?: Doc }[];
  const collections = listed.filter((c) => (c.type ?? 'collection') === 'collection' && !c.name.startsWith('system.'));
  // Control collections (already read) last; the others by name.
  const rank = (name: string) => (control.has(name) ? 1 : 0);
  collections.sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const counts: Record<string, number> = {};

  async function* documents(name: string): AsyncGenerator<Doc> {
    const read = control.get(name);
    if (read) yield* read;
    else yield* db.collection(name).find({}, RAW_READ);
  }

  async function* lines(): AsyncGenerator<string> {
    yield `${EJSON.stringify({ header: { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date(), database: db.databaseName, collections: collections.map((c) => c.name) } }, { relaxed: false })}\n`;
    for (const collection of collections) {
      const indexes = (await db.collection(collection.name).listIndexes().toArray()).map((index) => {
        const { v: _v, ns: _ns, ...spec } = index as Record<string, unknown>;
        return spec;
      });
      yield `${EJSON.stringify({ collection: { name: collection.name, options: collection.options ?? {}, indexes } }, { relaxed: false })}\n`;
      let count = 0;
      let buffer = '';
      for await (const doc of documents(collection.name)) {
        buffer += `${EJSON.stringify({ d: doc }, { relaxed: false })}\n`;
        count++;
        if (buffer.length >= 1 << 16) {
          yield buffer;
          buffer = '';
        }
      }
      if (buffer) yield buffer;
      counts[collection.name] = count;
    }
    const documentsTotal = Object.values(counts).reduce((a, b) => a + b, 0);
    yield `${EJSON.stringify({ end: { counts, documents: documentsTotal } }, { relaxed: false })}\n`;
  }

  await pipeline(Readable.from(lines()), createGzip({ level: 6 }), createWriteStream(tmp));
  return { counts, documents: Object.values(counts).reduce((a, b) => a + b, 0) };
}

// ---------------------------------------------------------------------------------------
// Restore
// ---------------------------------------------------------------------------------------

/**
 * Restores `file` into `connection`'s database, which must hold no documents (with `force`,
 * its collections are dropped first). The file is read through once to check it is whole
 * before anything is changed; documents go in with insertMany in chunks; then the backup's
 * indexes and every registered model's indexes are created.
 */
export async function restoreDatabase(connection: Connection, file: string, options: { force?: boolean; log?: Log } = {}): Promise<RestoreSummary> {
  const started = Date.now();
  const db = dbOf(connection);
  const log = options.log ?? (() => undefined);
  const header = await verifyBackupFile(file);

  const existing = await nonEmptyCollections(db);
  if (existing.length > 0 && !options.force) {
    const list = existing.map(([name, n]) => `${name} (${n}${n >= 1000 ? '+' : ''} document${n === 1 ? '' : 's'})`).join(', ');
    throw new BackupError(
      `database "${db.databaseName}" is not empty: ${list}. Restore into an empty database, or pass --force to drop its collections first.`,
    );
  }
  const dropped: Record<string, number> = {};
  if (options.force) {
    for (const [name, n] of existing) dropped[name] = n;
    for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
      if (c.name.startsWith('system.')) continue;
      await db.collection(c.name).drop();
      log(`dropped ${c.name}`);
    }
  }

  const counts: Record<string, number> = {};
  let current: CollectionHeader | null = null;
  let chunk: Doc[] = [];
  let chunkBytes = 0;
  const flush = async () => {
    if (!current || chunk.length === 0) return;
    await db.collection(current.name).insertMany(chunk, { ordered: true });
    counts[current.name] = (counts[current.name] ?? 0) + chunk.length;
    chunk = [];
    chunkBytes = 0;
  };
  const finishCollection = async () => {
    if (!current) return;
    await flush();
    await createIndexSpecs(db, current);
    log(`restored ${current.name}: ${counts[current.name] ?? 0} documents`);
  };

  for await (const line of readLines(file)) {
    const record = EJSON.parse(line, { relaxed: false }) as { header?: unknown; collection?: CollectionHeader; d?: Doc; end?: unknown };
    if (record.d) {
      chunk.push(record.d);
      chunkBytes += line.length;
      if (chunk.length >= CHUNK_DOCS || chunkBytes >= CHUNK_BYTES) await flush();
    } else if (record.collection) {
      await finishCollection();
      current = record.collection;
      counts[current.name] = 0;
      await ensureCollection(db, current);
    } else if (record.end) {
      await finishCollection();
      current = null;
    }
  }

  // The service's own indexes, as it would create them on start (the schema may be newer
  // than the backup).
  const models = wireModels(connection);
  await Promise.all(Object.values(models).map((m: AnyModel) => m.createIndexes()));

  for (const [name, n] of Object.entries(header.counts)) {
    const actual = await db.collection(name).countDocuments();
    if (actual !== n) throw new BackupError(`restore incomplete: ${name} has ${actual} documents, the backup ${n}`);
  }
  return {
    file,
    database: db.databaseName,
    createdAt: header.createdAt,
    sourceDatabase: header.database,
    counts,
    documents: header.documents,
    dropped,
    ms: Date.now() - started,
  };
}

/** One line of a backup file: its header, a collection's header, a document, or the end. */
interface BackupRecord {
  header?: { format?: string; version?: number; createdAt?: Date; database?: string };
  collection?: { name: string };
  d?: unknown;
  end?: { counts: Record<string, number>; documents: number };
}

interface VerifiedHeader {
  createdAt: Date;
  database: string;
  counts: Record<string, number>;
  documents: number;
}

/** Reads the whole file once: a gate-duty backup of a known version, whole, counts matching. */
export async function verifyBackupFile(file: string): Promise<VerifiedHeader> {
  let header: BackupRecord['header'];
  let end: BackupRecord['end'];
  const seen: Record<string, number> = {};
  let current = '';
  let lineNo = 0;
  try {
    for await (const line of readLines(file)) {
      lineNo++;
      // Relaxed: the header and counts as plain numbers (documents are only counted here).
      const record = EJSON.parse(line, { relaxed: true }) as BackupRecord;
      if (lineNo === 1) {
        header = record.header;
        if (header?.format !== BACKUP_FORMAT) throw new BackupError(`${file} is not a gate-duty backup`);
        if (header.version !== BACKUP_VERSION)
          throw new BackupError(`${file} is a version ${header.version} backup; this restore reads version ${BACKUP_VERSION}`);
      } else if (end) {
        throw new BackupError(`${file} has data after its end record (line ${lineNo})`);
      } else if (record.d) {
        if (!current) throw new BackupError(`${file}: a document before any collection (line ${lineNo})`);
        seen[current] = (seen[current] ?? 0) + 1;
      } else if (record.collection) {
        current = String(record.collection.name);
        seen[current] = 0;
      } else if (record.end) {
        end = record.end;
      } else {
        throw new BackupError(`${file}: unknown record on line ${lineNo}`);
      }
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not a readable backup (line ${lineNo + 1}): ${(error as Error).message}`);
  }
  if (!header) throw new BackupError(`${file} is empty`);
  if (!end) throw new BackupError(`${file} is incomplete: it has no end record (was the backup interrupted?)`);
  for (const [name, n] of Object.entries(end.counts)) {
    if (seen[name] !== n) throw new BackupError(`${file} is damaged: ${name} should have ${n} documents, has ${seen[name] ?? 0}`);
  }
  return { createdAt: header.createdAt ?? new Date(0), database: header.database ?? '', counts: end.counts, documents: end.documents };
}

async function nonEmptyCollections(db: mongo.Db): Promise<[string, number][]> {
  const found: [string, number][] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (c.name.startsWith('system.')) continue;
    const n = await db.collection(c.name).countDocuments({}, { limit: 1000 });
    if (n > 0) found.push([c.name, n]);
  }
  return found.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

async function ensureCollection(db: mongo.Db, header: CollectionHeader): Promise<void> {
  const exists = (await db.listCollections({ name: header.name }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) await db.createCollection(header.name, header.options);
}

/**
 * One index per command, skipping names that exist: FerretDB 1.24 drops the connection
 * (a server panic) on a createIndexes of two or more indexes that all exist already.
 */
async function createIndexSpecs(db: mongo.Db, header: CollectionHeader): Promise<void> {
  const collection = db.collection(header.name);
  const existing = new Set((await collection.listIndexes().toArray()).map((i) => (i as { name: string }).name));
  for (const spec of header.indexes as unknown as mongo.IndexDescription[]) {
    if (spec.name && !existing.has(spec.name)) await collection.createIndexes([spec]);
  }
}

/** The file's lines; a missing file, a gzip error or a truncated stream ends the loop with an error. */
async function* readLines(file: string): AsyncGenerator<string> {
  const gunzip = createGunzip();
  const source = createReadStream(file);
  source.on('error', (error) => gunzip.destroy(error));
  let failure: Error | undefined;
  gunzip.on('error', (error) => (failure ??= error));
  const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      if (failure) break;
      if (line) yield line;
    }
  } finally {
    lines.close();
    source.destroy();
  }
  if (failure) throw failure;
}

function dbOf(connection: Connection): mongo.Db {
  if (!connection.db) throw new Error('the database connection is not open');
  return connection.db;
}
