// The synthetic community's space and tags, with their question counts. The space of the slug is
// reused when it exists (its count is then recounted from its questions); tags are written last
// with the counts of the generated questions, and tags that existed before are recounted from
// every question that carries them.
import type { Types } from 'mongoose';
import type { SeedStore } from './seed-store.js';
import { START, type IdOf } from './synthetic-context.js';
import type { SyntheticOutput } from './synthetic-output.js';

export interface SyntheticSpace {
  id: Types.ObjectId;
  slug: string;
  /** the space was there before this run */
  existed: boolean;
}

/** The space of this slug: an existing one is reused, else a new one gets a derived id. */
export async function resolveSpace(store: SeedStore, slug: string, idOf: IdOf): Promise<SyntheticSpace> {
  const existing = await store.findSpaceIdBySlug(slug);
  return { id: existing ?? idOf('space', slug), slug, existed: existing !== null };
}

/** The tags with their counts; tags that existed before are recounted from every question. */
export async function writeTags(tagCounts: Map<string, number>, createdAt: Date, batch: number, output: SyntheticOutput): Promise<void> {
  const tags = output.store.insertBatchFor('tags', { size: batch, trusted: true });
  for (const [name, n] of tagCounts) {
    if (tags.add({ _id: name, questionCount: n, createdAt, updatedAt: createdAt })) await output.flush(tags);
  }
  await output.flush(tags);
  if (tags.existing > 0) await recountTags(output.store, [...tagCounts.keys()]);
}

/** Sets these tags' question counts from the questions that carry them (one read). */
async function recountTags(store: SeedStore, names: string[]): Promise<void> {
  const byTag = await store.questionCountsByTag(names);
  for (const t of await store.tagQuestionCounts(names)) {
    const n = byTag.get(t._id) ?? 0;
    if (t.questionCount !== n) await store.setTagQuestionCount(t._id, n);
  }
}

/** The space with its question count: an existing one is recounted, a new one inserted. */
export async function writeSpace(
  space: SyntheticSpace,
  about: { seed: number; members: number; questions: number },
  output: SyntheticOutput,
): Promise<void> {
  if (space.existed) {
    const n = await output.store.countLiveQuestions(space.id);
    const current = await output.store.spaceQuestionCount(space.id);
    if (current !== n) await output.store.setSpaceQuestionCount(space.id, n);
    return;
  }
  await output.store.insertSpaceDocument({
    _id: space.id,
    slug: space.slug,
    name: space.slug === 'synthetic' ? 'Synthetic' : `Synthetic ${space.slug}`,
    description: `Generated community data (seed ${about.seed}, ${about.members} members, ${about.questions} questions).`,
    questionCount: about.questions,
    createdAt: new Date(START),
    updatedAt: new Date(START),
  });
  output.countWritten();
}
