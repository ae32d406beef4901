import { error, redirect } from '@sveltejs/kit';
import { ApiError, apiFailure, gql } from '$lib/server/api';
import { invalid, text, toFormErrors, trimmed } from '$lib/server/forms';
import { preview } from '$lib/server/markdown';
import { parseTags } from '$lib/tags';
import { EditPostQuery, UpdateAnswerMutation, UpdateQuestionMutation } from '../documents';
import type { Actions, PageServerLoad } from './$types';

const GLOBAL_ID = /^[A-Za-z0-9+/_-]{8,120}={0,2}$/;

async function loadPost(event: Parameters<PageServerLoad>[0] | Parameters<Actions[string]>[0]) {
  if (!GLOBAL_ID.test(event.params.id)) error(404, 'Post not found');
  let data;
  try {
    data = await gql(event, EditPostQuery, { id: event.params.id });
  } catch (err) {
    apiFailure(err);
  }
  const post = data.node;
  if (!post || (post.__typename !== 'Question' && post.__typename !== 'Answer')) error(404, 'Post not found');
  return post;
}

export const load: PageServerLoad = async (event) => {
  if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
  const post = await loadPost(event);
  if (!post.viewerCanEdit) error(403, 'You cannot edit this post');
  return { post };
};

function read(form: FormData) {
  return {
    title: trimmed(form, 'title'),
    body: text(form, 'body'),
    tags: text(form, 'tags'),
    editSummary: trimmed(form, 'editSummary'),
  };
}

export const actions: Actions = {
  save: async (event) => {
    if (!event.locals.viewer) redirect(303, `/signin?redirectTo=${encodeURIComponent(event.url.pathname)}`);
    const post = await loadPost(event);
    const values = read(await event.request.formData());
    let errors;
    let url: string | undefined;
    try {
      if (post.__typename === 'Question') {
        const payload = (
          await gql(event, UpdateQuestionMutation, {
            input: {
              questionId: post.id,
              title: values.title,
              body: values.body,
              tags: parseTags(values.tags),
              editSummary: values.editSummary || null,
            },
          })
        ).updateQuestion;
        errors = payload.errors;
        url = payload.question?.url;
      } else {
        const payload = (
          await gql(event, UpdateAnswerMutation, {
            input: { answerId: post.id, body: values.body, editSummary: values.editSummary || null },
          })
        ).updateAnswer;
        errors = payload.errors;
        url = payload.answer?.url;
      }
    } catch (err) {
      if (err instanceof ApiError && (err.status === 429 || err.code === 'RATE_LIMITED')) {
        return invalid(429, { ...values, preview: null }, 'You are editing too often. Please wait a moment.');
      }
      throw err;
    }
    if (errors.length || !url) {
      return invalid(400, { ...values, preview: null }, toFormErrors(errors, ['title', 'body', 'tags', 'editSummary']));
    }
    redirect(303, url);
  },

  preview: async (event) => {
    const values = read(await event.request.formData());
    const { html } = await preview(event, values.body);
    return { values: { ...values, preview: html } };
  },
};
