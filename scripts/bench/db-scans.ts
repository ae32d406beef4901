// Which database commands each benchmarked operation sends, and which of them FerretDB answers
// by scanning a whole collection.
//
// A MongoDB-wire-protocol tap (a TCP proxy that decodes the OP_MSG commands going to FerretDB)
// sits between a separate api + web pair and the bench FerretDB; each operation is sent twice
// through them (cold Redis cache, then warm) and the commands are recorded per operation. Each
// distinct read (find / count / aggregate, and the filters of update / delete / findAndModify) is
// then `explain`ed on FerretDB, whose answer says whether the filter, sort and limit were pushed
// down to SQLite (`filterPushdown` …) — without a pushed-down filter FerretDB reads and decodes
// every document of the collection. The tap is only used for this short capture, never during
// the timed runs.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BSON, MongoClient, ObjectId, type Document } from 'mongodb';

export interface CapturedCommand {
  op: string;
  pass: 'cold' | 'warm';
  command: string;
  collection: string;
  /** the command as sent, minus session/cluster fields */
  body: Document;
}

/** Commands that are not data access (getMore and killCursors are: round trips of a read). */
const IGNORED = new Set(
  [
    'hello',
    'ismaster',
    'ping',
    'saslstart',
    'saslcontinue',
    'endsessions',
    'buildinfo',
    'createindexes',
    'listindexes',
    'listcollections',
    'getparameter',
    'serverstatus',
    'getlog',
    'hostinfo',
    'getcmdlineopts',
    'connectionstatus',
    'whatsmyuri',
    'dbstats',
    'collstats',
    'explain',
    'abortTransaction',
    'committransaction',
  ].map((s) => s.toLowerCase()),
);

const STRIP = new Set([
  '$db',
  'lsid',
  'txnNumber',
  '$clusterTime',
  '$readPreference',
  'readConcern',
  'writeConcern',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'autocommit',
  'startTransaction',
]);

/** Decodes the OP_MSG commands of one client→server byte stream. */
class OpMsgDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  constructor(private readonly onCommand: (doc: Document) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 16) {
      const length = this.buffer.readInt32LE(0);
      if (length < 16 || length > 64 * 1024 * 1024) {
        this.buffer = Buffer.alloc(0); // not a stream we understand: stop decoding it
        return;
      }
      if (this.buffer.length < length) return;
      const message = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      if (message.readInt32LE(12) === 2013) {
        try {
          this.decodeOpMsg(message);
        } catch {
          // a message we cannot decode is simply not recorded
        }
      }
    }
  }

  private decodeOpMsg(message: Buffer): void {
    const flags = message.readUInt32LE(16);
    const end = message.length - (flags & 1 ? 4 : 0);
    let offset = 20;
    let body: Document | undefined;
    const sequences: Record<string, Document[]> = {};
    while (offset < end) {
      const kind = message[offset]!;
      offset += 1;
      if (kind === 0) {
        const size = message.readInt32LE(offset);
        body = BSON.deserialize(message.subarray(offset, offset + size));
        offset += size;
      } else {
        const size = message.readInt32LE(offset);
        const sectionEnd = offset + size;
        let p = offset + 4;
        const nul = message.indexOf(0, p);
        const identifier = message.toString('utf8', p, nul);
        p = nul + 1;
        const docs: Document[] = [];
        while (p < sectionEnd) {
          const docSize = message.readInt32LE(p);
          docs.push(BSON.deserialize(message.subarray(p, p + docSize)));
          p += docSize;
        }
        sequences[identifier] = docs;
        offset = sectionEnd;
      }
    }
    if (body) this.onCommand({ ...body, ...sequences });
  }
}

export interface WireTap {
  port: number;
  /** label for the commands recorded from now on; undefined stops recording */
  label: { op: string; pass: 'cold' | 'warm' } | undefined;
  commands: CapturedCommand[];
  close(): Promise<void>;
}

export async function startWireTap(upstreamPort: number): Promise<WireTap> {
  const sockets = new Set<Socket>();
  const tap: WireTap = {
    port: 0,
    label: undefined,
    commands: [],
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const record = (doc: Document) => {
    const label = tap.label;
    if (!label) return;
    const command = Object.keys(doc)[0];
    if (!command || IGNORED.has(command.toLowerCase())) return;
    const body: Document = {};
    for (const [k, v] of Object.entries(doc)) if (!STRIP.has(k)) body[k] = v;
    // getMore names its cursor first and its collection in `collection`
    const collection = command.toLowerCase() === 'getmore' ? doc.collection : doc[command];
    tap.commands.push({ op: label.op, pass: label.pass, command, collection: String(collection), body });
  };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    const decoder = new OpMsgDecoder(record);
    client.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  tap.port = typeof address === 'object' && address ? address.port : 0;
  return tap;
}

/**
 * Runs `ops` twice each (cold, warm) while the tap records. A slow or failing first run is not
 * repeated, except for an op that asks for its warm run (`warmAlways`: a page's round trips are
 * those of a view after a warm-up view). After each run `settle` waits for the work it left
 * behind (the servers going idle), so that its commands are not counted for the next run.
 */
export async function captureOps(
  tap: WireTap,
  ops: Array<{ name: string; run: () => Promise<void>; warmAlways?: boolean }>,
  log: (line: string) => void,
  settle: () => Promise<void> = async () => undefined,
): Promise<void> {
  for (const op of ops) {
    for (const pass of ['cold', 'warm'] as const) {
      tap.label = { op: op.name, pass };
      const t0 = performance.now();
      let failed = false;
      try {
        await op.run();
      } catch (error) {
        log(`  capture of "${op.name}" (${pass}) failed: ${error instanceof Error ? error.message : String(error)}`);
        failed = true;
      }
      // writes done after the response (view counts, last-seen, a read model rebuilt in the
      // background) and a failed request's unfinished work still belong to this run
      await sleep(300);
      await settle();
      // a slow operation is not sent twice (its cold pass shows its commands), nor a failing one
      if (pass === 'cold' && !op.warmAlways && (failed || performance.now() - t0 > 5_000)) break;
    }
  }
  tap.label = undefined;
}

// ---------------------------------------------------------------------------------------------
// Shapes and explain

/** The command with values replaced by their types: one entry per distinct query shape. */
function shapeOf(value: unknown): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length ? [shapeOf(value[0]), ...(value.length > 1 ? ['…'] : [])] : [];
  if (value instanceof Date) return '<date>';
  if (typeof value === 'object') {
    const bsonType = (value as { _bsontype?: string })._bsontype;
    if (bsonType) return `<${bsonType === 'ObjectId' ? 'id' : bsonType}>`;
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeOf(v)]));
  }
  if (typeof value === 'string') return '<str>';
  if (typeof value === 'number') return '<n>';
  if (typeof value === 'boolean') return '<bool>';
  return `<${typeof value}>`;
}

function compact(value: unknown): string {
  return JSON.stringify(value).replace(/"/g, '').replace(/,/g, ', ').replace(/:/g, ': ');
}

export interface ShapeReport {
  command: string;
  collection: string;
  /** filter / sort / pipeline shape, for display */
  shape: string;
  /** times sent per request (warm pass) */
  perRequest: number;
  /** sent only on the cold pass (cache miss) */
  coldOnly: boolean;
  filterPushdown: boolean | null;
  sortPushdown: boolean | null;
  limitPushdown: boolean | null;
  /** FerretDB's SQLite plan */
  plan: string | null;
  /** the filter is not pushed down: every document of the collection is read */
  scans: boolean;
  collectionDocs: number | null;
  note?: string;
}

export interface OpScanReport {
  op: string;
  /** which request the counts are of: the second (warm caches) or, for a slow op sent once, the first */
  pass: 'cold' | 'warm';
  /** commands of that request by shape (an update of several statements counts each) */
  commands: number;
  /** messages sent to the database for that request: its round trips (getMore included) */
  roundTrips: number;
  scans: number;
  shapes: ShapeReport[];
}

interface Probe {
  /** an explainable command, or undefined (inserts) */
  explain?: Document;
  shape: unknown;
  hasFilter: boolean;
}

function probesOf(c: CapturedCommand): Probe[] {
  const b = c.body;
  switch (c.command) {
    case 'find':
      return [
        {
          explain: {
            find: c.collection,
            filter: b.filter ?? {},
            ...(b.sort ? { sort: b.sort } : {}),
            ...(b.limit ? { limit: b.limit } : {}),
            ...(b.skip ? { skip: b.skip } : {}),
          },
          shape: { filter: shapeOf(b.filter ?? {}), ...(b.sort ? { sort: b.sort } : {}), ...(b.limit ? { limit: '<n>' } : {}) },
          hasFilter: true,
        },
      ];
    case 'count':
      return [{ explain: { count: c.collection, query: b.query ?? {} }, shape: { query: shapeOf(b.query ?? {}) }, hasFilter: true }];
    case 'aggregate':
      return [
        {
          explain: { aggregate: c.collection, pipeline: b.pipeline ?? [], cursor: {} },
          shape: { pipeline: shapeOf(b.pipeline ?? []) },
          hasFilter: true,
        },
      ];
    case 'distinct':
      return [
        { explain: { find: c.collection, filter: b.query ?? {} }, shape: { key: b.key, query: shapeOf(b.query ?? {}) }, hasFilter: true },
      ];
    case 'update':
      return ((b.updates as Document[] | undefined) ?? []).map((u) => ({
        explain: { find: c.collection, filter: u.q ?? {} },
        shape: { q: shapeOf(u.q ?? {}), ...(u.upsert ? { upsert: true } : {}) },
        hasFilter: true,
      }));
    case 'delete':
      return ((b.deletes as Document[] | undefined) ?? []).map((d) => ({
        explain: { find: c.collection, filter: d.q ?? {} },
        shape: { q: shapeOf(d.q ?? {}) },
        hasFilter: true,
      }));
    case 'findAndModify':
      return [
        {
          explain: { find: c.collection, filter: b.query ?? {}, ...(b.sort ? { sort: b.sort } : {}) },
          shape: { query: shapeOf(b.query ?? {}), ...(b.upsert ? { upsert: true } : {}) },
          hasFilter: true,
        },
      ];
    case 'insert':
      return [{ shape: { documents: (b.documents as unknown[] | undefined)?.length ?? 0 }, hasFilter: false }];
    default:
      return [{ shape: {}, hasFilter: false }];
  }
}

/** ARCHITECTURE.md's rule for FerretDB 1.x: only a filter of exactly {_id: value} is pushed down. */
function ruleSaysPushdown(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const v = (filter as Record<string, unknown>)._id;
  return !(v && typeof v === 'object' && !(v as { _bsontype?: string })._bsontype && Object.keys(v).some((k) => k.startsWith('$')));
}

/** One command shape timed on a small and a large scratch collection. */
export interface PushdownProbe {
  what: 'find {_id}' | 'find {_id: {$in: [one id]}}' | 'update {_id}' | 'findAndModify {_id}' | 'delete {_id}';
  smallMs: number;
  largeMs: number;
  /** the time grows with the collection: the filter is evaluated on every document */
  scans: boolean;
}

export const PROBE_SIZES = { small: 500, large: 10_000 } as const;

/**
 * Times by-`_id` commands on two scratch collections (500 and 10,000 documents) of a scratch
 * database on the bench FerretDB: a command whose time grows with the collection is not pushed
 * down. `explain` only covers find/count/aggregate; this measures what it does not say (FerretDB
 * 1.24 runs update / findAndModify / delete through a scan even with a `{_id: value}` filter).
 */
/**
 * `afterInsert` runs once the scratch collections hold their documents: the bench passes the
 * step the project applies to every local FerretDB (the `_id` lookup index of
 * scripts/lib/ferretdb-ids.ts), so the probe measures FerretDB as Colloquy runs it.
 */
export async function probePushdown(mongoUrl: string, afterInsert?: () => void): Promise<PushdownProbe[]> {
  const url = new URL(mongoUrl);
  url.pathname = '/colloquy_bench_probe';
  const client = new MongoClient(url.toString(), { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  const db = client.db();
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const time = async (n: number, fn: (i: number) => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await fn(i);
      out.push(performance.now() - t);
    }
    return median(out);
  };
  try {
    await db.dropDatabase();
    const results = new Map<PushdownProbe['what'], { small: number; large: number }>();
    for (const [size, docs] of [
      ['small', PROBE_SIZES.small],
      ['large', PROBE_SIZES.large],
    ] as const) {
      const coll = db.collection<{ _id: ObjectId; n: number; pad: string }>(`probe_${docs}`);
      const rows = Array.from({ length: docs }, (_, n) => ({ _id: new ObjectId(), n, pad: 'x'.repeat(200) }));
      for (let i = 0; i < rows.length; i += 1000) await coll.insertMany(rows.slice(i, i + 1000));
      afterInsert?.();
      const ids = rows.map((r) => r._id);
      const record = (what: PushdownProbe['what'], ms: number) =>
        results.set(what, { ...(results.get(what) ?? { small: NaN, large: NaN }), [size]: ms });
      record('find {_id}', await time(21, (i) => coll.findOne({ _id: ids[i * 7]! })));
      record('find {_id: {$in: [one id]}}', await time(5, (i) => coll.find({ _id: { $in: [ids[i * 11]!] } }).toArray()));
      record('update {_id}', await time(21, (i) => coll.updateOne({ _id: ids[i * 13]! }, { $set: { touched: i } })));
      record('findAndModify {_id}', await time(11, (i) => coll.findOneAndUpdate({ _id: ids[i * 17]! }, { $set: { touched: i } })));
      record('delete {_id}', await time(11, (i) => coll.deleteOne({ _id: ids[i * 19 + 1]! })));
    }
    return [...results.entries()].map(([what, r]) => ({
      what,
      smallMs: r.small,
      largeMs: r.large,
      scans: r.large > 3 * r.small && r.large - r.small > 2,
    }));
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
  }
}

export function formatProbe(probes: PushdownProbe[]): string[] {
  return [
    `FerretDB pushdown probe (median ms on scratch collections of ${PROBE_SIZES.small.toLocaleString('en-US')} → ${PROBE_SIZES.large.toLocaleString('en-US')} docs, with the _id lookup index the scripts add):`,
    ...probes.map(
      (p) =>
        `  ${p.what.padEnd(28)} ${p.smallMs.toFixed(1).padStart(7)} → ${p.largeMs.toFixed(1).padStart(7)} ms  ${p.scans ? 'SCAN (grows with the collection)' : 'pushed down'}`,
    ),
  ];
}

export async function explainCaptured(
  mongoUrl: string,
  commands: CapturedCommand[],
  opNames?: string[],
  probes: PushdownProbe[] = [],
): Promise<OpScanReport[]> {
  const measuredScan: Record<string, boolean | undefined> = {
    update: probes.find((p) => p.what === 'update {_id}')?.scans,
    findAndModify: probes.find((p) => p.what === 'findAndModify {_id}')?.scans,
    delete: probes.find((p) => p.what === 'delete {_id}')?.scans,
  };
  const client = new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  try {
    const db = client.db();
    const docCounts = new Map<string, number | null>();
    const countOf = async (collection: string) => {
      if (!docCounts.has(collection))
        docCounts.set(
          collection,
          await db
            .collection(collection)
            .estimatedDocumentCount()
            .catch(() => null),
        );
      return docCounts.get(collection)!;
    };
    const explained = new Map<string, Omit<ShapeReport, 'perRequest' | 'coldOnly'>>();
    const reports: OpScanReport[] = [];
    const ops = [...new Set([...(opNames ?? []), ...commands.map((c) => c.op)])];
    for (const op of ops) {
      const shapes = new Map<string, { report: Omit<ShapeReport, 'perRequest' | 'coldOnly'>; cold: number; warm: number }>();
      for (const c of commands.filter((x) => x.op === op)) {
        for (const probe of probesOf(c)) {
          const key = `${c.command} ${c.collection} ${JSON.stringify(probe.shape)}`;
          let report = explained.get(key);
          if (!report) {
            let filterPushdown: boolean | null = null;
            let sortPushdown: boolean | null = null;
            let limitPushdown: boolean | null = null;
            let plan: string | null = null;
            let note: string | undefined;
            if (probe.explain) {
              try {
                const r = await db.command({ explain: probe.explain, verbosity: 'queryPlanner' });
                filterPushdown = typeof r.filterPushdown === 'boolean' ? r.filterPushdown : null;
                sortPushdown = typeof r.sortPushdown === 'boolean' ? r.sortPushdown : null;
                limitPushdown = typeof r.limitPushdown === 'boolean' ? r.limitPushdown : null;
                const p = (r.queryPlanner as { Plan?: unknown } | undefined)?.Plan;
                plan = Array.isArray(p)
                  ? p.map((line) => String(line).replace(/^id=\d+ parent=\d+ notused=\d+ detail=/, '')).join('; ')
                  : null;
              } catch (error) {
                note = `explain failed (${error instanceof Error ? error.message : String(error)}); judged by the {_id: value} rule`;
              }
              if (filterPushdown === null) {
                const filter = (probe.explain.filter ??
                  probe.explain.query ??
                  (probe.explain.pipeline as Document[] | undefined)?.[0]?.$match) as unknown;
                filterPushdown = ruleSaysPushdown(filter);
              }
            }
            // explain answers for the filter of a find: an update/findAndModify/delete path may
            // still scan — the probe measured it
            if (filterPushdown === true && measuredScan[c.command] === true) {
              filterPushdown = false;
              note = `explain of the filter says pushed down, but FerretDB's ${c.command} path scans (measured by the probe)`;
            }
            report = {
              command: c.command,
              collection: c.collection,
              shape: compact(probe.shape),
              filterPushdown,
              sortPushdown,
              limitPushdown,
              plan,
              scans: probe.hasFilter && filterPushdown === false,
              collectionDocs: await countOf(c.collection),
              ...(note ? { note } : {}),
            };
            explained.set(key, report);
          }
          const entry = shapes.get(key) ?? { report, cold: 0, warm: 0 };
          entry[c.pass]++;
          shapes.set(key, entry);
        }
      }
      const hasWarm = commands.some((c) => c.op === op && c.pass === 'warm');
      const list: ShapeReport[] = [...shapes.values()].map(({ report, cold, warm }) => ({
        ...report,
        perRequest: hasWarm ? warm || cold : cold,
        coldOnly: hasWarm && warm === 0,
      }));
      const warm = list.filter((s) => !s.coldOnly);
      const pass = hasWarm ? 'warm' : 'cold';
      reports.push({
        op,
        pass,
        commands: warm.reduce((n, s) => n + s.perRequest, 0),
        roundTrips: commands.filter((c) => c.op === op && c.pass === pass).length,
        scans: warm.filter((s) => s.scans).reduce((n, s) => n + s.perRequest, 0),
        shapes: list,
      });
    }
    return reports;
  } finally {
    await client.close();
  }
}

/** Text lines for the console and the Markdown report. */
export function formatScanReport(reports: OpScanReport[]): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    if (!r.shapes.length) {
      lines.push(`${r.op}: no database commands`);
      continue;
    }
    lines.push(
      `${r.op}: ${r.roundTrips} database round trip(s) per request (${r.pass === 'warm' ? 'warm cache' : 'first request; slow, sent once'}), ${r.scans} command(s) answered by a full collection scan`,
    );
    for (const s of r.shapes) {
      const verdict = s.scans
        ? `SCAN of ${s.collection}${s.collectionDocs !== null ? ` (${s.collectionDocs.toLocaleString('en-US')} docs)` : ''}`
        : s.filterPushdown
          ? 'pushed down'
          : s.command === 'insert'
            ? 'insert'
            : '—';
      const extra =
        s.filterPushdown !== null &&
        s.command === 'find' &&
        (s.sortPushdown === false || s.limitPushdown === false) &&
        s.shape.includes('sort')
          ? ', sort in Go'
          : '';
      lines.push(
        `  ${s.perRequest}× ${s.command} ${s.collection} ${s.shape}${s.coldOnly ? ' [cold cache only]' : ''} → ${verdict}${extra}${s.note ? ` (${s.note})` : ''}`,
      );
    }
  }
  return lines;
}
