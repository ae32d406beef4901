// npm run budget:fixture — adds a question with 20 answers (each with two comments) to the
// configured database, through the services, and prints its URL: the page the web budget
// (`npm run budget -w web -- <url>`) is measured on. Idempotent per run: a new question each time.
import { loadConfig } from '../server/src/config.js';
import { createDeps } from '../server/src/deps.js';
import { addComment } from '../server/src/modules/comment/comment.service.js';
import { askQuestion, postAnswer } from '../server/src/modules/post/post.service.js';
import { SpaceModel } from '../server/src/modules/space/space.model.js';
import { scriptContext } from '../server/src/modules/system/system.context.js';
import { createUser } from '../server/src/modules/user/user.service.js';

async function main() {
  const config = loadConfig();
  const deps = await createDeps(config, 'budget-fixture', { events: 'inline' });
  try {
    const space = await SpaceModel.findOne({}).lean();
    if (!space) throw new Error('no space yet: run npm start (it seeds a demo community) first');
    const run = Date.now().toString(36);
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
      title: 'How should a question page with twenty answers be measured?',
      body: 'A question page carries its answers, their comments and the controls around them. This one has **twenty** answers, each with two comments, to measure the page weight with `npm run budget`.',
      tags: ['performance'],
    });
    for (let i = 1; i <= 20; i++) {
      const ctx = await member(i);
      const body = `Answer number ${i}: measure the HTML and the JavaScript gzip-compressed, as the browser receives them.\n\n\`\`\`ts\nconst size = gzipSync(html).length; // bytes\n\`\`\`\n\nThen compare with the budget of 60 KB each.`;
      const a = await postAnswer(ctx, { questionId: q._id.toHexString(), body });
      for (const c of [0, 1])
        await addComment(asker, { subjectId: a._id.toHexString(), body: `Thanks for answer ${i}, comment ${c}: that helps.` });
    }
    console.log(`/questions/${q._id.toHexString()}`);
  } finally {
    await deps.close();
  }
}

main().catch((error) => {
  console.error(`budget fixture failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
