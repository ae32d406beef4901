// Backups of the database: every collection streamed through a driver cursor as canonical
// Extended JSON (one document a line, types kept: ObjectId, Date, Decimal128 …), gzip-compressed,
// into one tar archive with a manifest (counts and sha256 of every file). Restore checks every
// checksum before it writes anything, refuses a database that holds documents (unless forced),
// inserts in batches, compares the counts, and then rebuilds what is derived from the database:
// indexes, the search index, the question listings, the members ranking and the statistics, every
// other read model `npm run verify -- --repair` knows (review queues, badge counts …), and
// retires every cache (Redis holds only derived state: see docs/operations.md).
//
// Works on FerretDB and MongoDB alike (the mongo-tools' mongodump needs a real MongoDB: see
// docs/operations.md for using it there). Not a point-in-time snapshot across collections: take
// it with writes stopped, or run `npm run verify -- --repair` after a restore of a live backup.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { BSON, MongoClient, type Document } from 'mongodb';

const { EJSON } = BSON;
import type { AppDeps } from '../../server/src/context.js';
import { EPOCH } from '../../server/src/infra/versions.js';
import { syncIndexes } from '../../server/src/infra/mongo.js';
import { verifyConsistency } from '../../server/src/modules/maintenance/verify.service.js';
import { rebuildRollupsAndRanking } from '../../server/src/modules/post/post.rollups.js';
import { allSearchDocuments } from '../../server/src/modules/search/search.sync.js';

export const BACKUP_FORMAT = 'colloquy-backup';
export const BACKUP_VERSION = 1;

export interface ManifestEntry {
  name: string;
  count: number;
  file: string;
  bytes: number;
  sha256: string;
  /** the collection's index specifications (restore recreates the models' own; these are for reference) */
  indexes: Document[];
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  database: string;
  ferretdb: boolean;
  collections: ManifestEntry[];
}

type Log = (line: string) => void;

function tar(args: string[]): void {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function isFerret(client: MongoClient): Promise<boolean> {
  const build = await client.db('admin').command({ buildInfo: 1 });
  return 'ferretdbVersion' in build || /ferretdb/i.test(JSON.stringify(build));
}

/** Writes a backup of the database named by `mongodbUrl` to `archive` (a .tar); returns its manifest. */
export async function backupDatabase(options: { mongodbUrl: string; archive: string; log?: Log }): Promise<Manifest> {
  const log = options.log ?? (() => undefined);
  const work = mkdtempSync(join(tmpdir(), 'colloquy-backup-'));
  const client = await MongoClient.connect(options.mongodbUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db();
    const names = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((n) => !n.startsWith('system.'))
      .sort();
    const collections: ManifestEntry[] = [];
    for (const name of names) {
      const file = `${name}.ejson.gz`;
      let count = 0;
      const cursor = db.collection(name).find({}, { batchSize: 1000 });
      async function* lines() {
        for await (const doc of cursor) {
          count++;
          yield `${EJSON.stringify(doc, { relaxed: false })}\n`;
        }
      }
      await pipeline(Readable.from(lines()), createGzip(), createWriteStream(join(work, file)));
      const indexes = await db
        .collection(name)
        .listIndexes()
        .toArray()
        .catch(() => [] as Document[]);
      collections.push({
        name,
        count,
        file,
        bytes: statSync(join(work, file)).size,
        sha256: await sha256File(join(work, file)),
        indexes,
      });
      log(`  ${name}: ${count} documents`);
    }
    const manifest: Manifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      database: db.databaseName,
      ferretdb: await isFerret(client),
      collections,
    };
    writeFileSync(join(work, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const archive = resolve(options.archive);
    mkdirSync(dirname(archive), { recursive: true });
    tar(['-cf', archive, '-C', work, 'manifest.json', ...collections.map((c) => c.file)]);
    return manifest;
  } finally {
    await client.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export class RestoreError extends Error {}

/** Unpacks an archive and checks its manifest and every checksum; the caller removes `dir`. */
export async function openArchive(archive: string): Promise<{ dir: string; manifest: Manifest }> {
  const dir = mkdtempSync(join(tmpdir(), 'colloquy-restore-'));
  try {
    tar(['-xf', resolve(archive), '-C', dir]);
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw new RestoreError(`${basename(archive)} has no readable manifest.json: not a Colloquy backup`);
    }
    if (manifest.format !== BACKUP_FORMAT || manifest.version !== BACKUP_VERSION) {
      throw new RestoreError(`${basename(archive)} is not a ${BACKUP_FORMAT} v${BACKUP_VERSION} archive`);
    }
    for (const c of manifest.collections) {
      if (basename(c.file) !== c.file) throw new RestoreError(`manifest names a file outside the archive: ${c.file}`);
      let actual: string;
      try {
        actual = await sha256File(join(dir, c.file));
      } catch {
        throw new RestoreError(`${c.file} (collection ${c.name}) is missing from the archive`);
      }
      if (actual !== c.sha256) throw new RestoreError(`checksum mismatch for ${c.file} (collection ${c.name}): the archive is damaged`);
    }
    return { dir, manifest };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Restores an archive into the database named by `mongodbUrl`. Nothing is written when a
 * checksum does not match, or when the database holds documents and `force` is not set (with
 * `force`, the collections of the archive are emptied first).
 */
export async function restoreDatabase(options: { mongodbUrl: string; archive: string; force?: boolean; log?: Log }): Promise<Manifest> {
  const log = options.log ?? (() => undefined);
  const { dir, manifest } = await openArchive(options.archive);
  const client = await MongoClient.connect(options.mongodbUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const db = client.db();
    const existing = (await db.listCollections({}, { nameOnly: true }).toArray())
      .map((c) => c.name)
      .filter((n) => !n.startsWith('system.'));
    const nonEmpty: string[] = [];
    for (const name of existing) if ((await db.collection(name).estimatedDocumentCount()) > 0) nonEmpty.push(name);
    if (nonEmpty.length && !options.force) {
      throw new RestoreError(
        `database ${db.databaseName} is not empty (${nonEmpty.slice(0, 5).join(', ')}${nonEmpty.length > 5 ? ', …' : ''}): restore into an empty database, or pass --force to replace its contents`,
      );
    }
    // --force: the database gets exactly the archive's contents
    for (const name of nonEmpty) await db.collection(name).deleteMany({});
    for (const c of manifest.collections) {
      const collection = db.collection(c.name);
      let batch: Document[] = [];
      let inserted = 0;
      const flush = async () => {
        if (!batch.length) return;
        await collection.insertMany(batch, { ordered: true });
        inserted += batch.length;
        batch = [];
      };
      const lines = createInterface({ input: createReadStream(join(dir, c.file)).pipe(createGunzip()), crlfDelay: Infinity });
      for await (const line of lines) {
        if (!line) continue;
        batch.push(EJSON.parse(line, { relaxed: false }) as Document);
        if (batch.length >= 500) await flush();
      }
      await flush();
      if (inserted !== c.count)
        throw new RestoreError(`collection ${c.name}: restored ${inserted} documents, the manifest says ${c.count}`);
      log(`  ${c.name}: ${inserted} documents`);
    }
    return manifest;
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Rebuilt {
  searchDocuments: number;
  listedQuestions: number;
  members: number;
  tags: number;
  /** derived items `verify --repair` rebuilt */
  repaired: number;
}

/**
 * After a restore: the models' indexes, a fresh search index (swapped in), the question listings,
 * the members ranking and the statistics; then every cache is retired (the read-model epoch is
 * bumped, so no response, entity or page cached before the restore is served again).
 */
export async function rebuildDerivedState(deps: AppDeps, log: Log = () => undefined): Promise<Rebuilt> {
  await syncIndexes();
  const total = await deps.repos.posts.count({ deletedAt: null });
  await deps.services.search.reindex(allSearchDocuments(deps.repos), total, () => undefined);
  const searchCount = await deps.services.search.count();
  log(`  search index: ${searchCount} documents`);
  let listedQuestions = 0;
  if (deps.services.listings.enabled) {
    listedQuestions = (await deps.services.listings.rebuild()).questions;
    log(`  question listings: ${listedQuestions} questions`);
  }
  const rebuilt = await rebuildRollupsAndRanking(deps);
  log(`  members ranking: ${rebuilt.members} members; statistics: ${rebuilt.tags} tags, ${rebuilt.users} members`);
  // every other read model a feature keeps in Redis (review queues, badge counts, …): `verify
  // --repair` rebuilds what it finds missing from the restored facts
  const repaired = await verifyConsistency(deps, { repair: true });
  log(`  other read models: ${repaired.repaired} item(s) rebuilt`);
  await deps.repos.storage.changed([EPOCH]);
  log('  caches retired');
  return { searchDocuments: searchCount, listedQuestions, members: rebuilt.members, tags: rebuilt.tags, repaired: repaired.repaired };
}
