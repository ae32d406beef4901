// A tag's statistics as the posts say they are now (the tag_stats rollup's compute step): the
// facts of many tags read at once — one query for their live questions (FerretDB scans the posts
// once whatever the number of tags), their answers by id from the questions' child lists — then
// ranked per tag by post.stats.ts, exactly as `topAskers`/`topAnswerers` rank one tag.
import type { Types } from 'mongoose';
import { op } from '../../lib/mongo-ops.js';
import type { PostRepository } from './post.repository.js';
import { groupBy, rankAnswerers, rankAskers, rankingWindow, type AnswerFacts, type QuestionFacts } from './post.stats.js';
import type { TagStatsDoc } from './tag-stats.model.js';

/** askers and answerers kept per tag: the largest `first` the fields accept (checkFirst) */
export const MAX_RANKED = 100;

interface QuestionRow extends QuestionFacts {
  tags: string[];
  answerIds?: Types.ObjectId[] | null;
}

interface AnswerRow extends AnswerFacts {
  type: string;
  questionId: Types.ObjectId | null;
  deletedAt: Date | null;
}

const ANSWER_FIELDS = '_id type authorId score questionId deletedAt';

/** Live answers of these questions, by question id (hex): by id from their child lists, else by parent. */
async function liveAnswersByQuestion(posts: PostRepository, questions: readonly QuestionRow[]): Promise<Map<string, AnswerRow[]>> {
  const listed = questions.filter((q) => Array.isArray(q.answerIds));
  const unlisted = questions.filter((q) => !Array.isArray(q.answerIds)).map((q) => q._id);
  const rows = [
    ...(await posts.findManyByIds<AnswerRow>(
      listed.flatMap((q) => q.answerIds!),
      ANSWER_FIELDS,
    )),
    ...(unlisted.length ? await posts.findWhere<AnswerRow>({ type: 'answer', questionId: op.in(unlisted) }, ANSWER_FIELDS) : []),
  ];
  const live = rows.filter((a) => a.type === 'answer' && !a.deletedAt && a.questionId);
  return groupBy(live, (a) => a.questionId!.toHexString());
}

/**
 * The statistics of these tags from their facts now; `mark` is the rollup sequence read before
 * (post.rollups.ts). A tag without questions gets empty rankings.
 */
export async function computeTagStats(posts: PostRepository, names: readonly string[], mark: number): Promise<TagStatsDoc[]> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return [];
  const questions = await posts.findWhere<QuestionRow>(
    { type: 'question', deletedAt: null, tags: wanted.length === 1 ? wanted[0] : op.in(wanted) },
    '_id authorId score tags answerCount acceptedAnswerId answerIds',
  );
  const byTag = new Map(wanted.map((name) => [name, [] as QuestionRow[]]));
  for (const q of questions) for (const t of q.tags) byTag.get(t)?.push(q);
  // the answers of the questions the answerer rankings look at (each tag's answered window)
  const looked = new Map<string, QuestionRow>();
  for (const list of byTag.values())
    for (const q of rankingWindow(list.filter((x) => (x.answerCount ?? 0) > 0))) looked.set(q._id.toHexString(), q);
  const answers = await liveAnswersByQuestion(posts, [...looked.values()]);
  const builtAt = new Date();
  return wanted.map((name) => {
    const list = byTag.get(name)!;
    return {
      _id: name,
      askers: rankAskers(list, MAX_RANKED),
      answerers: rankAnswerers(list, (id) => answers.get(id.toHexString()) ?? [], MAX_RANKED),
      mark,
      builtAt,
    };
  });
}
