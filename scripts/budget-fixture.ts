// npm run budget:fixture — adds a question with 20 answers (each with two comments) to the
// configured database, through the services, and prints its URL: the page the web budget
// (`npm run budget -w web -- <url>`) is measured on. Idempotent per run: a new question each time.
// `createQuestionThread` is the creation itself, also used by the benchmark (scripts/bench) for
// its question pages of 10, 20 and 30 answers.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../server/src/config.js';
import type { AppDeps } from '../server/src/context.js';
import { createDeps } from '../server/src/deps.js';
import { addComment } from '../server/src/modules/comment/comment.service.js';
import { askQuestion, postAnswer } from '../server/src/modules/post/post.service.js';
import { SpaceModel } from '../server/src/modules/space/space.model.js';
import { scriptContext } from '../server/src/modules/system/system.context.js';
import { createUser } from '../server/src/modules/user/user.service.js';

export interface QuestionThreadOptions {
  /** answers, each by a new member (default 20) */
  answers?: number;
  /** comments by the asker on each answer (default 2) */
  commentsPerAnswer?: number;
}

/**
 * A question (in the first space) with `answers` answers, each by its own new member and with
 * `commentsPerAnswer` comments by the asker; returns the question's id (hex).
 */
export async function createQuestionThread(siteDeps: AppDeps, options: QuestionThreadOptions = {}): Promise<string> {
  // written as by established members: the asker's two comments per answer would otherwise meet
  // the new-member comment rate (modules/moderation/limits.ts); the site keeps its own rules
  const deps: AppDeps = {
    ...siteDeps,
    config: { ...siteDeps.config, moderationRules: JSON.stringify({ newMember: { reputationBelow: 0, accountAgeHours: 0 } }) },
  };
  const answers = options.answers ?? 20;
  const commentsPerAnswer = options.commentsPerAnswer ?? 2;
  const space = await SpaceModel.findOne({}).lean();
  if (!space) throw new Error('no space yet: run npm start (it seeds a demo community) first');
  // distinct per call: handles are unique, and several threads may be created in one millisecond's run
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const member = async (n: number) => {
    const u = await createUser(
      scriptContext(deps, null),
      { handle: `budget_${run}_${n}`, email: null, password: null, displayName: `Budget member ${n}` },
      new Date(),
    );
    return scriptContext(deps, { id: u._id.toHexString(), handle: u.handle, role: 'MEMBER' });
  };
  const asker = await member(0);
  const q = await askQuestion(asker, {
    spaceSlug: space.slug,
    title: `How should a question page with ${answers} answers be measured?`,
    body: `A question page carries its answers, their comments and the controls around them. This one has **${answers}** answers, each with ${commentsPerAnswer} comments, to measure the page weight with \`npm run budget\`.`,
    tags: ['performance'],
  });
  for (let i = 1; i <= answers; i++) {
    const ctx = await member(i);
    const body = `Answer number ${i}: measure the HTML and the JavaScript gzip-compressed, as the browser receives them.\n\n\`\`\`ts\nconst size = gzipSync(html).length; // bytes\n\`\`\`\n\nThen compare with the budget of 60 KB each.`;
    const a = await postAnswer(ctx, { questionId: q._id.toHexString(), body });
    for (let c = 0; c < commentsPerAnswer; c++)
      await addComment(asker, { subjectId: a._id.toHexString(), body: `Thanks for answer ${i}, comment ${c}: that helps.` });
  }
  return q._id.toHexString();
}

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'budget-fixture', { events: 'inline' });
  try {
    const id = await createQuestionThread(deps, { answers: 20, commentsPerAnswer: 2 });
    console.log(`/questions/${id}`);
  } finally {
    await deps.close();
  }
}

// run as a script (npm run budget:fixture), not when imported
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(`budget fixture failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
