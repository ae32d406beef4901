// Tags: normalisation, synonyms (resolve to their master), counts, wiki.
import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { renderMarkdown, excerpt } from '../../lib/markdown.js';
import { parseInput } from '../../lib/validate.js';
import { isModerator } from '../user/user.policy.js';
import { requireWriter } from '../user/user.service.js';
import { reposOf } from '../services.js';
import type { TagDoc } from './tag.model.js';
import type { TagRepository } from './tag.repository.js';
import { TAG_NAME, normalizeTag } from './tag.rules.js';

/**
 * Validates tag names for a question (1–5) and maps synonyms to their master tag.
 * Throws a VALIDATION error naming `tags`.
 */
export async function resolveTagNames(tags: TagRepository, raw: string[]): Promise<string[]> {
  const names = raw.map(normalizeTag).filter((t) => t.length > 0);
  for (const name of names) {
    if (!TAG_NAME.test(name)) {
      throw new ValidationError(`"${name.slice(0, 40)}" is not a valid tag: use at most 35 lowercase letters, digits or . + # -`, 'tags');
    }
  }
  const unique = [...new Set(names)];
  if (unique.length === 0) throw new ValidationError('add at least one tag', 'tags');
  if (unique.length > 5) throw new ValidationError('use at most 5 tags', 'tags');
  const found = await tags.findManyByIds<{ _id: string; synonymOf: string | null }>(unique, 'synonymOf');
  const master = new Map(found.filter((s) => s.synonymOf).map((s) => [s._id, s.synonymOf!]));
  return [...new Set(unique.map((t) => master.get(t) ?? t))];
}

/** Keeps tags' questionCount in step (creates tags on first use). */
export async function adjustTagCounts(tags: TagRepository, added: string[], removed: string[]): Promise<void> {
  for (const name of added) await tags.adjustQuestionCount(name, 1);
  for (const name of removed) await tags.adjustQuestionCount(name, -1);
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
  const tags = reposOf(ctx).tags;
  const tag = await tags.findById(normalizeTag(input.name));
  if (!tag) throw new NotFoundError(`The tag "${input.name}"`);
  const updated = await tags.updateReturning(tag._id, {
    $set: {
      description: input.description,
      descriptionHTML: renderMarkdown(input.description),
      excerpt: excerpt(input.description, 300),
    },
  });
  return updated!;
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
  const tags = reposOf(ctx).tags;
  const master = await tags.findById(masterName);
  if (!master) throw new ValidationError('no such tag', 'masterName');
  if (master.synonymOf) throw new ValidationError(`"${masterName}" is itself a synonym of "${master.synonymOf}"`, 'masterName');
  await tags.setSynonym(name, masterName);
  return (await tags.findById(masterName))!;
}
