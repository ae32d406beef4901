import { z } from 'zod';
import type { Context } from '../../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors.js';
import { parseInput } from '../../lib/validate.js';
import { requireWriter } from '../user/user.service.js';
import { toObjectId } from '../../lib/ids.js';
import { reposOf } from '../services.js';
import type { SpaceDoc } from './space.model.js';

export const SPACE_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const spaceFields = {
  name: z.string().trim().min(2, { error: 'must be at least 2 characters' }).max(80, { error: 'must be at most 80 characters' }),
  description: z.string().trim().max(2000, { error: 'must be at most 2000 characters' }),
};

const createInput = z.object({
  slug: z.string().regex(SPACE_SLUG, { error: 'use 1–40 lowercase letters, digits or "-"' }),
  ...spaceFields,
  description: spaceFields.description.default(''),
});

function requireAdmin(ctx: Context) {
  const viewer = requireWriter(ctx);
  if (viewer.role !== 'ADMIN') throw new ForbiddenError('Only admins manage spaces.');
  return viewer;
}

export async function createSpace(ctx: Context, raw: z.input<typeof createInput>): Promise<SpaceDoc> {
  requireAdmin(ctx);
  const input = parseInput(createInput, raw);
  try {
    return await reposOf(ctx).spaces.create(input);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new ValidationError('a space with this slug exists', 'slug');
    throw error;
  }
}

const updateInput = z.object({ spaceId: z.string(), name: spaceFields.name.optional(), description: spaceFields.description.optional() });

export async function updateSpace(ctx: Context, raw: z.input<typeof updateInput>): Promise<SpaceDoc> {
  requireAdmin(ctx);
  const input = parseInput(updateInput, raw);
  const id = toObjectId(input.spaceId);
  const set: Record<string, string> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  const space = id ? await reposOf(ctx).spaces.updateReturning(id, { $set: set }) : null;
  if (!space) throw new NotFoundError('The space');
  return space;
}
