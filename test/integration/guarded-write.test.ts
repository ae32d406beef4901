// Writes by _id (server/src/infra/storage.ts) behave like `updateOne({_id, ...guard})` in
// both strategies, and on FerretDB the locked strategy sends only `{_id}` filters (the one filter
// FerretDB pushes down to SQLite) while serialising concurrent writers of a document — FerretDB's
// own updates are unguarded read-modify-writes: run the concurrency cases below in the `filter`
// strategy and increments are lost (24 optimistic writers ended at version 11; 80 `$inc`s at 4).
import mongoose, { Schema } from 'mongoose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Guard, GuardMode, Storage } from '../../server/src/infra/storage.js';
import { op } from '../../server/src/lib/mongo-ops.js';
import { startHarness, type Harness } from '../helpers/harness.js';

interface Probe {
  _id: string;
  version: number;
  seq?: number | null;
  owner?: mongoose.Types.ObjectId | null;
  note?: string;
  hits: number;
}
const ProbeModel =
  (mongoose.models.GuardProbe as mongoose.Model<Probe> | undefined) ??
  mongoose.model<Probe>(
    'GuardProbe',
    new Schema<Probe>(
      {
        _id: String,
        version: Number,
        seq: { type: Number, default: null },
        owner: { type: Schema.Types.ObjectId, default: null },
        note: String,
        hits: { type: Number, default: 0 },
      },
      { versionKey: false, collection: 'guard_probes' },
    ),
  );

let h: Harness;
// the strategy under test: the app's own (chosen at boot), or a copy forced to one mode
let storage: Storage;
const setGuardMode = (mode: GuardMode | null) => {
  storage = mode ? h.deps.repos.storage.withStrategy({ writes: mode }) : h.deps.repos.storage;
};
const currentGuardMode = () => storage.writes;
const updateIf = (...a: Parameters<Storage['updateIf']>) => storage.updateIf(...a);
const updateById = (...a: Parameters<Storage['updateById']>) => storage.updateById(...a);
const findOneAndUpdateIf = <T>(...a: Parameters<Storage['findOneAndUpdateIf']>) => storage.findOneAndUpdateIf<T>(...a);
const updateByIdReturning = <T>(...a: Parameters<Storage['updateByIdReturning']>) => storage.updateByIdReturning<T>(...a);

beforeAll(async () => {
  h = await startHarness();
  setGuardMode(null);
});
afterAll(async () => {
  setGuardMode(null);
  await h?.close();
});
beforeEach(async () => {
  await ProbeModel.deleteMany({});
});
afterEach(() => setGuardMode(null));

const onFerretDB = !process.env.MONGODB_URL;

it('chooses the locked strategy on FerretDB and one conditional filter on MongoDB', () => {
  expect(currentGuardMode()).toBe(onFerretDB ? 'locked' : 'filter');
});

describe.each<GuardMode>(['filter', 'locked'])('%s strategy', (mode) => {
  beforeEach(() => setGuardMode(mode));

  it('writes only when every guard field matches', async () => {
    const owner = new mongoose.Types.ObjectId();
    await ProbeModel.create({ _id: 'a', version: 3, seq: 7, owner, note: 'x' });
    // a wrong version, a wrong ObjectId, a failing $lt: nothing written
    const failing: Guard[] = [{ version: 2 }, { version: 3, owner: new mongoose.Types.ObjectId() }, { seq: op.lt(7) }];
    for (const guard of failing) {
      const res = await updateIf(ProbeModel, 'a', guard, { $set: { note: 'changed' }, $inc: { version: 1 } });
      expect(res, JSON.stringify(guard)).toEqual({ matchedCount: 0, modifiedCount: 0 });
    }
    expect(await ProbeModel.findById('a').lean()).toMatchObject({ version: 3, note: 'x' });
    // all matching (equality on number and ObjectId, $lt): written once
    const res = await updateIf(ProbeModel, 'a', { version: 3, owner, seq: op.lt(8) }, { $set: { note: 'changed' }, $inc: { version: 1 } });
    expect(res).toEqual({ matchedCount: 1, modifiedCount: 1 });
    expect(await ProbeModel.findById('a').lean()).toMatchObject({ version: 4, note: 'changed' });
  });

  it('null matches a null or missing field; a missing document is never created', async () => {
    await ProbeModel.create({ _id: 'n', version: 1, owner: null });
    await ProbeModel.collection.updateOne({ _id: 'n' as never }, { $unset: { seq: '' } });
    const after = await findOneAndUpdateIf<Probe>(ProbeModel, 'n', { owner: null, seq: null }, { $inc: { hits: 1 } });
    expect(after).toMatchObject({ _id: 'n', hits: 1 });
    expect(await findOneAndUpdateIf<Probe>(ProbeModel, 'n', { version: 9 }, { $inc: { hits: 1 } })).toBeNull();
    expect(await updateIf(ProbeModel, 'missing', { version: 0 }, { $set: { version: 1 } })).toEqual({ matchedCount: 0, modifiedCount: 0 });
    expect(await ProbeModel.countDocuments({})).toBe(1);
    expect((await ProbeModel.findById('n').lean())!.hits).toBe(1);
  });
});

describe.skipIf(!onFerretDB)('locked strategy on FerretDB', () => {
  beforeEach(() => setGuardMode('locked'));

  it('sends only {_id} filters and leaves no lock behind', async () => {
    await ProbeModel.create({ _id: 'p', version: 1 });
    const client = mongoose.connection.getClient();
    const filters: Array<Record<string, unknown>> = [];
    const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.command[e.commandName] !== 'guard_probes') return;
      if (e.commandName === 'find') filters.push(e.command.filter as Record<string, unknown>);
      if (e.commandName === 'findAndModify') filters.push(e.command.query as Record<string, unknown>);
      if (e.commandName === 'update') for (const u of e.command.updates as Array<{ q: Record<string, unknown> }>) filters.push(u.q);
    };
    client.on('commandStarted', listener);
    try {
      await updateIf(ProbeModel, 'p', { version: 1 }, { $inc: { version: 1 } });
      await findOneAndUpdateIf(ProbeModel, 'p', { version: 2 }, { $inc: { version: 1 } });
    } finally {
      client.off('commandStarted', listener);
    }
    expect(filters.length).toBe(4); // two reads of the guard fields, two writes
    for (const f of filters) expect(Object.keys(f)).toEqual(['_id']);
    expect((await ProbeModel.findById('p').lean())!.version).toBe(3);
    const prefix = h.deps.config.redisPrefix;
    expect(await h.deps.redis.keys(`${prefix}lock:doc:*`)).toEqual([]);
  });

  it('serialises concurrent optimistic writers: no increment is lost', async () => {
    await ProbeModel.create({ _id: 'c', version: 0, hits: 0 });
    const writers = 24;
    let retries = 0;
    await Promise.all(
      Array.from({ length: writers }, async () => {
        for (;;) {
          const seen = (await ProbeModel.findById('c').lean())!;
          const res = await updateIf(
            ProbeModel,
            'c',
            { version: seen.version },
            { $set: { version: seen.version + 1, hits: seen.hits + 1 } },
          );
          if (res.modifiedCount === 1) return;
          retries++;
        }
      }),
    );
    const end = (await ProbeModel.findById('c').lean())!;
    // every writer's read-modify-write landed exactly once: a lost update would leave fewer
    expect(end).toMatchObject({ version: writers, hits: writers });
    expect(retries).toBeGreaterThan(0); // the writers really did collide
  });

  it('serialises concurrent $inc writers: every increment counts', async () => {
    await ProbeModel.create({ _id: 'i', version: 0, hits: 0 });
    await Promise.all([
      ...Array.from({ length: 30 }, () => updateById(ProbeModel, 'i', { $inc: { hits: 1 } })),
      ...Array.from({ length: 30 }, () => updateByIdReturning<Probe>(ProbeModel, 'i', { $inc: { hits: 1, version: 1 } })),
    ]);
    expect(await ProbeModel.findById('i').lean()).toMatchObject({ hits: 60, version: 30 });
  });

  it('waits for a document another process holds, then writes', async () => {
    await ProbeModel.create({ _id: 'w', version: 1 });
    const key = `${h.deps.config.redisPrefix}lock:doc:guard_probes:w`;
    await h.deps.redis.set(key, 'someone-else', 'PX', 10_000);
    let done = false;
    const pending = updateIf(ProbeModel, 'w', { version: 1 }, { $inc: { version: 1 } }).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    expect((await ProbeModel.findById('w').lean())!.version).toBe(1);
    await h.deps.redis.del(key);
    expect(await pending).toEqual({ matchedCount: 1, modifiedCount: 1 });
    expect((await ProbeModel.findById('w').lean())!.version).toBe(2);
  });
});
