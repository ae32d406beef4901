// The moderators' dashboard: the flag queue with counts and actions, suspended members, and the
// audit log filtered by actor, target and action. Every form is a plain POST (works without JS).
import { error, redirect } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalidForm, text, trimmed, toFormErrors } from '$lib/server/forms';
import { DashboardQuery, HandleFlagsMutation, SendMessageMutation, SuspendMutation, UnsuspendMutation, UserIdQuery } from './documents';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const isModerator = (role: string | undefined) => role === 'MODERATOR' || role === 'ADMIN';

function requireModerator(event: RequestEvent | Parameters<PageServerLoad>[0]) {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  if (!isModerator(event.locals.viewer.role)) error(403, 'Only moderators can see the moderation dashboard.');
}

export const load: PageServerLoad = async (event) => {
  requireModerator(event);
  const q = event.url.searchParams;
  const actor = q.get('actor')?.trim() || '';
  const target = q.get('target')?.trim() || '';
  const action = q.get('action')?.trim() || '';
  try {
    const actorId = actor ? (await gql(event, UserIdQuery, { handle: actor })).user?.id : undefined;
    if (actor && !actorId) return { filters: { actor, target, action }, data: null, notice: `No member "${actor}".` };
    const data = await gql(event, DashboardQuery, {
      actorId: actorId ?? null,
      targetId: target || null,
      action: action || null,
      after: q.get('after') || null,
    });
    return { filters: { actor, target, action }, data, notice: null as string | null };
  } catch (err) {
    apiFailure(err);
  }
};

async function run(
  event: RequestEvent,
  values: Record<string, string>,
  call: () => Promise<{ errors: readonly { code: string; message: string }[] }>,
) {
  let payload;
  try {
    payload = await call();
  } catch (err) {
    if (err instanceof ApiError && err.kind === 'graphql') return invalidForm(400, values, err.message);
    throw err;
  }
  if (payload.errors.length) return invalidForm(400, values, toFormErrors(payload.errors));
  redirect(303, event.url.pathname + event.url.search);
}

async function userIdOf(event: RequestEvent, handle: string): Promise<string | null> {
  return (await gql(event, UserIdQuery, { handle })).user?.id ?? null;
}

export const actions: Actions = {
  handle: async (event) => {
    requireModerator(event);
    const form = await event.request.formData();
    const subjectId = text(form, 'subjectId');
    const resolution = text(form, 'resolution') as 'DELETE' | 'HELPFUL' | 'DECLINE';
    const note = trimmed(form, 'note');
    if (!['DELETE', 'HELPFUL', 'DECLINE'].includes(resolution)) return invalidForm(400, { subjectId }, 'Choose what to do with the flags.');
    return run(
      event,
      { subjectId },
      async () => (await gql(event, HandleFlagsMutation, { input: { subjectId, resolution, note: note || null } })).handleFlags,
    );
  },
  suspend: async (event) => {
    requireModerator(event);
    const form = await event.request.formData();
    const handle = trimmed(form, 'handle');
    const days = Number(text(form, 'days'));
    const reason = trimmed(form, 'reason');
    const values = { handle, days: text(form, 'days'), reason };
    const userId = handle ? await userIdOf(event, handle) : null;
    if (!userId) return invalidForm(400, values, `No member "${handle}".`);
    return run(event, values, async () => (await gql(event, SuspendMutation, { input: { userId, days, reason } })).suspendMember);
  },
  unsuspend: async (event) => {
    requireModerator(event);
    const form = await event.request.formData();
    const userId = text(form, 'userId');
    return run(event, { userId }, async () => (await gql(event, UnsuspendMutation, { input: { userId } })).unsuspendMember);
  },
  message: async (event) => {
    requireModerator(event);
    const form = await event.request.formData();
    const handle = trimmed(form, 'handle');
    const subject = trimmed(form, 'subject');
    const body = trimmed(form, 'body');
    const values = { handle, subject, body };
    const userId = handle ? await userIdOf(event, handle) : null;
    if (!userId) return invalidForm(400, values, `No member "${handle}".`);
    return run(
      event,
      values,
      async () => (await gql(event, SendMessageMutation, { input: { userId, subject, body } })).sendModeratorMessage,
    );
  },
};
