// Tags: normalisation, synonyms (resolve to their master), counts, wiki.
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { renderMarkdown, excerpt } from '../../lib/markdown.js';
import { parseInput } from '../../lib/validate.js';
import { isModerator } from '../post/post.policy.js';
import { requireWriter } from '../user/user.service.js';
import { TagModel, type TagDoc } from './tag.model.js';
import { TAG_NAME, normalizeTag } from './tag.rules.js';
import { findByIds } from '../../infra/mongo.js';
import { updateById, updateByIdReturning } from '../../infra/guarded-write.js';

/**
 * Validates tag names for a question (1–5) and maps synonyms to their master tag.
 * Throws a VALIDATION error naming `tags`.
 */
export async function resolveTagNames(raw: string[]): Promise<string[]> {
  const names = raw.map(normalizeTag).filter((t) => t.length > 0);
  for (const name of names) {
    if (!TAG_NAME.test(name)) {
      throw new ValidationError(`"${name.slice(0, 40)}" is not a valid tag: use at most 35 lowercase letters, digits or . + # -`, 'tags');
    }
  }
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new ValidationError('add at least one tag', 'tags');
  if (unique.length > 5) throw new ValidationError('use at most 5 tags', 'tags');
  const found = await findByIds<{ _id: string; synonymOf: string | null }>(TagModel, unique, 'synonymOf');
  const master = new Map(found.filter((s) => s.synonymOf).map((s) => [s._id, s.synonymOf!]));
  return [...new Set(unique.map((t) => master.get(t) ?? t))];
}

/** Keeps tags' questionCount in step (creates tags on first use). */
export async function adjustTagCounts(added: string[], removed: string[]): Promise<void> {
  for (const name of added) {
    await updateById(TagModel, name, { $inc: { questionCount: 1 }, $setOnInsert: { description: '', synonymOf: null } }, { upsert: true });
  }
  for (const name of removed) {
    await updateById(TagModel, name, { $inc: { questionCount: -1 } });
  }
}

const updateTagInput = z.object({
  name: z.string(),
  description: z.string().max(30_000, { error: 'must be at most 30,000 characters' }),
});

/** Edits a tag's wiki (moderators). */
export async function updateTag(ctx: Context, raw: z.input<typeof updateTagInput>): Promise<TagDoc> {
  requireWriter(ctx);
  const input = parseInput(updateTagInput, raw);
  if (!isModerator(ctx.viewer)) throw new ForbiddenError('Only moderators can edit tag wikis.');
  const tag = await TagModel.findById(normalizeTag(input.name)).lean();
  if (!tag) throw new NotFoundError(`The tag "${input.name}"`);
  const updated = await updateByIdReturning(TagModel, tag._id, {
    $set: {
      description: input.description,
      descriptionHTML: renderMarkdown(input.description),
      excerpt: excerpt(input.description, 300),
    },
  });
  return updated as TagDoc;
}

const synonymInput = z.object({ name: z.string(), masterName: z.string() });

/** Makes `name` a synonym of `masterName` (moderators); new questions use the master. */
export async function addTagSynonym(ctx: Context, raw: z.input<typeof synonymInput>): Promise<TagDoc> {
  requireWriter(ctx);
  const input = parseInput(synonymInput, raw);
  if (!isModerator(ctx.viewer)) throw new ForbiddenError('Only moderators can manage tag synonyms.');
  const name = normalizeTag(input.name);
  const masterName = normalizeTag(input.masterName);
  if (!TAG_NAME.test(name)) throw new ValidationError('is not a valid tag name', 'name');
  if (!TAG_NAME.test(masterName)) throw new ValidationError('is not a valid tag name', 'masterName');
  if (name === masterName) throw new ValidationError('a tag cannot be a synonym of itself', 'masterName');
  const master = await TagModel.findById(masterName).lean();
  if (!master) throw new ValidationError('no such tag', 'masterName');
  if (master.synonymOf) throw new ValidationError(`"${masterName}" is itself a synonym of "${master.synonymOf}"`, 'masterName');
  await updateById(
    TagModel,
    name,
    { $set: { synonymOf: masterName }, $setOnInsert: { description: '', questionCount: 0 } },
    { upsert: true },
  );
  return (await TagModel.findById(masterName).lean()) as TagDoc;
}

export async function findTagsByNames(names: readonly string[]): Promise<Array<TagDoc | null>> {
  const docs = await findByIds<TagDoc>(TagModel, names);
  const byName = new Map(docs.map((d) => [d._id, d]));
  return names.map((n) => byName.get(n) ?? null);
}
