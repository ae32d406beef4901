// The `review` activity handler: opens review tasks for what happened (idempotent: task ids are
// deterministic, so a replayed event opens nothing new).
//   question.created / answer.created  a member's first post → FIRST_POSTS
//   answer.created                     an answer `lateAnswerDays` after its question → LATE_ANSWERS
//   vote.changed                       a post voted down to `lowQualityScore` → LOW_QUALITY
//   flag.created                       "needs improvement" / "not an answer" on a post → LOW_QUALITY
import { Types } from 'mongoose';
import type { ActivityHandler } from '../activity/activity.js';
import { reposOf } from '../services.js';
import { reviewRulesOf } from './review.rules.js';
import { openTask } from './review.tasks.js';

const LOW_QUALITY_FLAGS = new Set(['NEEDS_IMPROVEMENT', 'NOT_AN_ANSWER']);

export const reviewHandler: ActivityHandler = {
  name: 'review',
  async handle(deps, event) {
    const wanted = ['question.created', 'answer.created', 'vote.changed', 'flag.created'];
    if (!wanted.includes(event.type) || !Types.ObjectId.isValid(event.subjectId)) return;
    const repos = reposOf(deps);
    const post = await repos.posts.findById(new Types.ObjectId(event.subjectId));
    if (!post || post.deletedAt) return;
    const rules = reviewRulesOf({ deps });
    const questionId = post.questionId ?? post._id;
    const at = new Date(event.at);
    if (event.type === 'question.created' || event.type === 'answer.created') {
      const author = await repos.users.findById(post.authorId, 'questionCount answerCount');
      if (author && (author.questionCount ?? 0) + (author.answerCount ?? 0) <= 1)
        await openTask(deps, { queue: 'FIRST_POSTS', postId: post._id, questionId, round: 0, createdAt: at });
      if (post.type === 'answer') {
        const question = await repos.posts.findById(questionId, 'createdAt');
        const days = question ? (post.createdAt.getTime() - question.createdAt.getTime()) / 86_400_000 : 0;
        if (days > rules.lateAnswerDays)
          await openTask(deps, { queue: 'LATE_ANSWERS', postId: post._id, questionId, round: 0, createdAt: at });
      }
      return;
    }
    const lowScore = event.type === 'vote.changed' && post.score <= rules.lowQualityScore;
    const lowFlag = event.type === 'flag.created' && LOW_QUALITY_FLAGS.has(String(event.data?.reason ?? ''));
    if (lowScore || lowFlag) await openTask(deps, { queue: 'LOW_QUALITY', postId: post._id, questionId, round: 0, createdAt: at });
  },
};
