// One synthetic question with all of its activity, in its own time window: the question and its
// revisions, answers (geometric, mean 1.8) and theirs, votes, acceptance, comments (geometric,
// mean 0.7 per post), sometimes closing; then the finished post documents and their search
// documents. Every random draw happens in the same order for the same seed.
import type { Types } from 'mongoose';
import type { SearchDocument } from '../../infra/search/search.port.js';
import { renderInlineMarkdown, renderMarkdown } from '../../lib/markdown.js';
import { markdownToPlainText } from '../../lib/plain-text.js';
import type { AnswerDraft, Edited, QuestionScope, SyntheticRun } from './synthetic-context.js';
import { geometric, pick } from './synthetic-random.js';
import { COMMENT_TEXTS, FIXES, OBJECTS, PROBLEMS, VERBS } from './synthetic-vocabulary.js';
import { acceptAnswer, voteOnQuestion, type Acceptance, type VoteTotals } from './synthetic-votes.js';

/** The question as asked (and maybe edited once). */
interface QuestionDraft {
  tags: string[];
  verb: string;
  object: string;
  problem: string;
  title: string;
  body: string;
  revisions: number;
  edited: Edited | null;
}

interface Closing {
  at: number;
  reason: string;
  duplicateOf: Types.ObjectId | null;
}

/** Generates question number `qi` (time window `windowMs` from `t0`) and queues its documents. */
export async function generateQuestion(run: SyntheticRun, qi: number, t0: number, windowMs: number): Promise<void> {
  let tick = 0;
  const q: QuestionScope = {
    run,
    qi,
    // every action of this question gets the next moment of its window (time order = generation order)
    nextAt: () => Math.floor(t0 + windowMs * (1 - 1 / (2 + tick++ * 0.25))),
    at: Math.floor(t0),
    id: run.idOf('question', qi),
    asker: run.members.busy(),
  };
  const draft = await askQuestion(q);
  const answers = await answerQuestion(q, draft);
  const votes = await voteOnQuestion(q, answers);
  const acceptance = await acceptAnswer(q, answers);
  const commentIdsOf = new Map<string, Types.ObjectId[]>();
  const comments = await writeComments(q, commentIdsOf, q.id, `q${qi}`, geometric(run.rand, 0.7));
  for (const [k, a] of answers.entries()) a.comments = await writeComments(q, commentIdsOf, a.id, `a${qi}:${k}`, geometric(run.rand, 0.7));
  const closed = closeQuestion(q);
  await writePosts(q, { draft, answers, votes, acceptance, comments, closed, commentIdsOf });
}

/** Tags (Zipf), title and body; revision 1, and an edit on ~20 % of questions. */
async function askQuestion(q: QuestionScope): Promise<QuestionDraft> {
  const { rand, idOf, members, vocabulary, tagZipf, output, counts } = q.run;
  const { qi, asker } = q;
  const tagCount = 1 + Math.min(4, geometric(rand, 1.2));
  const tags: string[] = [];
  for (let k = 0; k < tagCount * 3 && tags.length < tagCount; k++) {
    const tag = vocabulary[tagZipf.sample(rand)]!;
    if (!tags.includes(tag)) tags.push(tag);
  }
  const [verb, object, problem] = [pick(rand, VERBS), pick(rand, OBJECTS), pick(rand, PROBLEMS)];
  const title = `How do I ${verb} ${object} with ${tags[0]} when ${problem}?`;
  let body = `I am trying to ${verb} ${object} in a ${tags.join(' / ')} project, but ${problem}.\n\nWhat I tried so far:\n\n- read the documentation on ${tags[0]}\n- checked the logs\n\n\`\`\`text\n$ ${tags[0]} --version\n\`\`\`\n\nWhat am I missing? (question ${qi + 1})`;
  await output.add(output.writers.revisions, {
    _id: idOf('revision', `q${qi}:1`),
    postId: q.id,
    number: 1,
    authorId: members.id(asker),
    title,
    body,
    tags,
    changed: ['title', 'body', 'tags'],
    summary: '',
    createdAt: new Date(q.at),
    updatedAt: new Date(q.at),
  });
  counts.revisions++;
  let revisions = 1;
  let edited: Edited | null = null;
  if (rand() < 0.2) {
    const by = rand() < 0.7 ? asker : members.busy();
    const at = q.nextAt();
    body = `${body}\n\n**Edit:** the same happens with the latest ${tags[0]} release.`;
    revisions++;
    counts.revisions++;
    edited = { at, by };
    await output.add(output.writers.revisions, {
      _id: idOf('revision', `q${qi}:2`),
      postId: q.id,
      number: 2,
      authorId: members.id(by),
      title,
      body,
      tags,
      changed: ['body'],
      summary: 'added details',
      createdAt: new Date(at),
      updatedAt: new Date(at),
    });
  }
  return { tags, verb, object, problem, title, body, revisions, edited };
}

/** The answers (never by the asker), each with revision 1 and an edit on ~10 % of them. */
async function answerQuestion(q: QuestionScope, draft: QuestionDraft): Promise<AnswerDraft[]> {
  const { rand, idOf, members, output, counts } = q.run;
  const { qi, asker } = q;
  const { tags, verb, object, problem } = draft;
  const answerCount = members.count > 1 ? geometric(rand, 1.8) : 0;
  const answers: AnswerDraft[] = [];
  for (let k = 0; k < answerCount; k++) {
    let author = members.busy();
    for (let tries = 0; author === asker && tries < 5; tries++) author = members.busy();
    if (author === asker) continue;
    const at = q.nextAt();
    const id = idOf('answer', `${qi}:${k}`);
    let text = `This usually means you need to ${pick(rand, FIXES)}. With ${tags[0]} that looks like:\n\n\`\`\`bash\n# ${verb} ${object}\n${tags[0]} --fix\n\`\`\`\n\nAfter that, ${problem.replace(/^it /, 'it no longer ')} should stop.`;
    await output.add(output.writers.revisions, {
      _id: idOf('revision', `a${qi}:${k}:1`),
      postId: id,
      number: 1,
      authorId: members.id(author),
      body: text,
      changed: ['body'],
      summary: '',
      createdAt: new Date(at),
      updatedAt: new Date(at),
    });
    counts.revisions++;
    let revisions = 1;
    let edited: Edited | null = null;
    if (rand() < 0.1) {
      const eAt = q.nextAt();
      text = `${text}\n\nAlternatively, ${pick(rand, FIXES)}.`;
      revisions++;
      counts.revisions++;
      edited = { at: eAt, by: author };
      await output.add(output.writers.revisions, {
        _id: idOf('revision', `a${qi}:${k}:2`),
        postId: id,
        number: 2,
        authorId: members.id(author),
        body: text,
        changed: ['body'],
        summary: 'another option',
        createdAt: new Date(eAt),
        updatedAt: new Date(eAt),
      });
    }
    answers.push({ id, author, at, body: text, score: 0, up: 0, down: 0, comments: 0, edited, revisions });
    members.state[author]!.answers++;
    counts.answers++;
  }
  return answers;
}

/** `n` comments on a post by busy members; their ids are kept for the post's child list. */
async function writeComments(
  q: QuestionScope,
  commentIdsOf: Map<string, Types.ObjectId[]>,
  postId: Types.ObjectId,
  key: string,
  n: number,
): Promise<number> {
  const { rand, idOf, members, output, counts } = q.run;
  let made = 0;
  const ids: Types.ObjectId[] = [];
  commentIdsOf.set(postId.toHexString(), ids);
  for (let c = 0; c < n; c++) {
    const at = q.nextAt();
    const text = pick(rand, COMMENT_TEXTS);
    const id = idOf('comment', `${key}:${c}`);
    ids.push(id);
    await output.add(output.writers.comments, {
      _id: id,
      postId,
      questionId: q.id,
      authorId: members.id(members.busy()),
      body: text,
      bodyHTML: renderInlineMarkdown(text),
      score: 0,
      createdAt: new Date(at),
      updatedAt: new Date(at),
    });
    made++;
  }
  counts.comments += made;
  return made;
}

/** A few questions (~2 %, after the activity) are closed; duplicates point at an earlier question. */
function closeQuestion(q: QuestionScope): Closing | null {
  const { rand, idOf, counts } = q.run;
  if (!(q.qi >= 10 && rand() < 0.02)) return null;
  const duplicate = rand() < 0.5;
  const closed = {
    at: q.nextAt(),
    reason: duplicate ? 'DUPLICATE' : pick(rand, ['OFF_TOPIC', 'NEEDS_DETAILS', 'NEEDS_FOCUS']),
    duplicateOf: duplicate ? idOf('question', Math.floor(rand() * q.qi)) : null,
  };
  counts.closed++;
  return closed;
}

interface QuestionActivity {
  draft: QuestionDraft;
  answers: AnswerDraft[];
  votes: VoteTotals;
  acceptance: Acceptance;
  /** comments on the question */
  comments: number;
  closed: Closing | null;
  commentIdsOf: Map<string, Types.ObjectId[]>;
}

/** The finished question and answer documents (counters from the activity), and their search documents. */
async function writePosts(q: QuestionScope, activity: QuestionActivity): Promise<void> {
  const { rand, members, output, spaceId, tagCounts } = q.run;
  const { draft, answers, votes, acceptance, closed, commentIdsOf } = activity;
  const { accepted, acceptedAt } = acceptance;
  const lastAt = Math.max(q.at, draft.edited?.at ?? 0, acceptedAt ?? 0, ...answers.map((a) => Math.max(a.at, a.edited?.at ?? 0)));
  const isAnswered = !!accepted || answers.some((a) => a.score > 0);
  const views = 10 + Math.floor(-Math.log(1 - rand()) * 60 * (1 + Math.max(0, votes.score) + answers.length));
  members.state[q.asker]!.questions++;
  for (const t of draft.tags) tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
  await output.add(output.writers.posts, {
    _id: q.id,
    type: 'question',
    spaceId,
    questionId: q.id,
    authorId: members.id(q.asker),
    title: draft.title,
    tags: draft.tags,
    body: draft.body,
    bodyHTML: renderMarkdown(draft.body),
    score: votes.score,
    scoreBase: 0,
    upVotes: votes.up,
    downVotes: votes.down,
    answerCount: answers.length,
    commentCount: activity.comments,
    answerIds: answers.map((a) => a.id),
    commentIds: commentIdsOf.get(q.id.toHexString()) ?? [],
    viewCount: views,
    isAnswered,
    acceptedAnswerId: accepted?.id ?? null,
    acceptedAt: acceptedAt === null ? null : new Date(acceptedAt),
    acceptGen: accepted ? 1 : 0,
    closedAt: closed ? new Date(closed.at) : null,
    closeReason: closed?.reason ?? null,
    duplicateOfId: closed?.duplicateOf ?? null,
    lastActivityAt: new Date(lastAt),
    lastEditedAt: draft.edited ? new Date(draft.edited.at) : null,
    lastEditorId: draft.edited ? members.id(draft.edited.by) : null,
    revisionCount: draft.revisions,
    createdAt: new Date(q.at),
    updatedAt: new Date(draft.edited?.at ?? q.at),
  });
  for (const a of answers) {
    await output.add(output.writers.posts, {
      _id: a.id,
      type: 'answer',
      spaceId,
      questionId: q.id,
      authorId: members.id(a.author),
      body: a.body,
      bodyHTML: renderMarkdown(a.body),
      score: a.score,
      scoreBase: 0,
      upVotes: a.up,
      downVotes: a.down,
      commentCount: a.comments,
      commentIds: commentIdsOf.get(a.id.toHexString()) ?? [],
      lastActivityAt: new Date(a.edited?.at ?? a.at),
      lastEditedAt: a.edited ? new Date(a.edited.at) : null,
      lastEditorId: a.edited ? members.id(a.edited.by) : null,
      revisionCount: a.revisions,
      createdAt: new Date(a.at),
      updatedAt: new Date(a.edited?.at ?? a.at),
    });
  }
  if (q.run.search.enabled) await q.run.search.add(searchDocuments(q, activity, lastAt, isAnswered));
}

function searchDocuments(q: QuestionScope, activity: QuestionActivity, lastAt: number, isAnswered: boolean): SearchDocument[] {
  const { members, slug } = q.run;
  const { draft, answers, votes, acceptance, closed } = activity;
  const common = {
    title: draft.title,
    tags: draft.tags,
    space: slug,
    answerCount: answers.length,
    isAnswered,
    hasAccepted: !!acceptance.accepted,
    isClosed: !!closed,
    lastActivityAt: lastAt,
  };
  const docs: SearchDocument[] = [
    {
      ...common,
      id: q.id.toHexString(),
      type: 'question',
      questionId: q.id.toHexString(),
      body: markdownToPlainText(draft.body),
      authorId: members.id(q.asker).toHexString(),
      authorHandle: members.handle(q.asker),
      score: votes.score,
      isAccepted: false,
      createdAt: q.at,
      version: 1_000_000,
    },
  ];
  for (const a of answers) {
    docs.push({
      ...common,
      id: a.id.toHexString(),
      type: 'answer',
      questionId: q.id.toHexString(),
      body: markdownToPlainText(a.body),
      authorId: members.id(a.author).toHexString(),
      authorHandle: members.handle(a.author),
      score: a.score,
      isAccepted: acceptance.accepted === a,
      createdAt: a.at,
      lastActivityAt: a.edited?.at ?? a.at,
      version: 1_000_000 + 1,
    });
  }
  return docs;
}
