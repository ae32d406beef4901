import { error, redirect } from '@sveltejs/kit';
import { diffLines, diffWords, hunks } from '$lib/diff';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalidForm, text, toFormErrors } from '$lib/server/forms';
import { RevisionsQuery, RollbackMutation } from '../documents';
import type { Actions, PageServerLoad } from './$types';

const GLOBAL_ID = /^[A-Za-z0-9+/_-]{8,120}={0,2}$/;

export const load: PageServerLoad = async (event) => {
  if (!GLOBAL_ID.test(event.params.id)) error(404, 'Post not found');
  let data;
  try {
    data = await gql(event, RevisionsQuery, { id: event.params.id });
  } catch (err) {
    apiFailure(err);
  }
  const post = data.node;
  if (!post || (post.__typename !== 'Question' && post.__typename !== 'Answer')) error(404, 'Post not found');

  const revisions = post.revisions.nodes;
  // Each revision compared with the one before it (computed here: no diff code ships to the browser).
  const history = revisions
    .map((rev, i) => {
      const prev = i > 0 ? revisions[i - 1] : undefined;
      const before = prev?.tags ?? [];
      return {
        revision: rev,
        title: prev && rev.title !== prev.title ? diffWords(prev.title ?? '', rev.title ?? '') : null,
        body: prev ? hunks(diffLines(prev.body, rev.body)) : null,
        tagsAdded: prev ? rev.tags.filter((t) => !before.includes(t)) : [],
        tagsRemoved: prev ? before.filter((t) => !rev.tags.includes(t)) : [],
      };
    })
    .reverse();

  const question = post.__typename === 'Question' ? { title: post.title, url: post.url } : post.question;
  return {
    post: { id: post.id, kind: post.__typename, url: post.url, viewerCanEdit: post.viewerCanEdit },
    question,
    history,
    latest: revisions[revisions.length - 1]?.number ?? 1,
  };
};

export const actions: Actions = {
  rollback: async (event) => {
    if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
    const form = await event.request.formData();
    const revision = Number(text(form, 'revision'));
    if (!Number.isInteger(revision) || revision < 1) return invalidForm(400, { revision: text(form, 'revision') }, 'Choose a revision.');
    let payload;
    try {
      payload = (await gql(event, RollbackMutation, { input: { postId: event.params.id, revision } })).rollbackRevision;
    } catch (err) {
      if (err instanceof ApiError && err.kind === 'graphql') return invalidForm(400, { revision: String(revision) }, err.message);
      throw err;
    }
    if (payload.errors.length) return invalidForm(400, { revision: String(revision) }, toFormErrors(payload.errors));
    redirect(303, event.url.pathname);
  },
};
