// A small synthetic demo community, written through the same services as the API (so scores,
// counters and reputation are consistent). Deterministic: the same content every time.
import type { AppDeps, Role } from '../../context.js';
import { acceptAnswer, askQuestion, postAnswer, setVerified } from '../post/post.service.js';
import { addComment } from '../comment/comment.service.js';
import { scriptContext } from '../system/system.context.js';
import { createUser } from '../user/user.service.js';
import { vote } from '../vote/vote.service.js';
import { seedStore } from './seed-store.js';

const SPACES = [
  { slug: 'acme-cloud', name: 'Acme Cloud Platform', description: 'Deploying, scaling and operating services on Acme Cloud.' },
  { slug: 'acme-db', name: 'Acme Database', description: 'Schema design, queries, replication and backups with Acme DB.' },
  { slug: 'acme-sdk', name: 'SDKs and APIs', description: 'Client libraries, REST and GraphQL APIs, authentication.' },
];

const PEOPLE: Array<{ handle: string; name: string; role: Role; affiliation?: string }> = [
  { handle: 'admin', name: 'Site Admin', role: 'ADMIN', affiliation: 'Acme' },
  { handle: 'priya', name: 'Priya Natarajan', role: 'STAFF', affiliation: 'Acme' },
  { handle: 'marco', name: 'Marco Rossi', role: 'MODERATOR' },
  { handle: 'lena', name: 'Lena Fischer', role: 'MEMBER' },
  { handle: 'kwame', name: 'Kwame Mensah', role: 'MEMBER' },
  { handle: 'sofia', name: 'Sofia Alvarez', role: 'MEMBER' },
  { handle: 'hiro', name: 'Hiro Tanaka', role: 'MEMBER' },
  { handle: 'olga', name: 'Olga Petrova', role: 'MEMBER' },
];

const TOPICS = [
  {
    space: 'acme-cloud',
    tags: ['deployment', 'kubernetes'],
    subject: 'rolling deployments',
    detail: 'pods restart all at once instead of one by one',
  },
  {
    space: 'acme-cloud',
    tags: ['autoscaling', 'metrics'],
    subject: 'the autoscaler',
    detail: 'it never scales above two replicas even under load',
  },
  {
    space: 'acme-cloud',
    tags: ['networking', 'tls'],
    subject: 'TLS certificates on custom domains',
    detail: 'the certificate stays in the pending state for hours',
  },
  { space: 'acme-cloud', tags: ['logging'], subject: 'structured logs', detail: 'JSON log lines are split into several entries' },
  {
    space: 'acme-db',
    tags: ['indexing', 'performance'],
    subject: 'a compound index',
    detail: 'the query planner still does a collection scan',
  },
  { space: 'acme-db', tags: ['replication'], subject: 'replica lag', detail: 'secondaries fall minutes behind during nightly imports' },
  {
    space: 'acme-db',
    tags: ['backup', 'restore'],
    subject: 'point-in-time restore',
    detail: 'the restore job fails with a checksum error',
  },
  {
    space: 'acme-db',
    tags: ['transactions'],
    subject: 'multi-document transactions',
    detail: 'writes abort with a write conflict under load',
  },
  {
    space: 'acme-sdk',
    tags: ['python', 'authentication'],
    subject: 'the Python SDK token refresh',
    detail: 'long jobs fail with 401 after one hour',
  },
  {
    space: 'acme-sdk',
    tags: ['javascript', 'graphql'],
    subject: 'GraphQL pagination in the JavaScript SDK',
    detail: 'the cursor from pageInfo returns the same page again',
  },
  {
    space: 'acme-sdk',
    tags: ['rate-limiting'],
    subject: 'API rate limits',
    detail: 'bursts of requests get 429 responses although the quota is not used up',
  },
  {
    space: 'acme-sdk',
    tags: ['java', 'http'],
    subject: 'connection pooling in the Java SDK',
    detail: 'threads block waiting for a connection',
  },
];

export async function seedDemo(seedingDeps: AppDeps, log: (line: string) => void): Promise<void> {
  // the demo's history is written through the services by members who start with 1 reputation: it
  // is written as if they had earned the privileges and outgrown the new-member limits it uses
  // (voting, commenting, links); the site itself keeps its configured rules (MODERATION_RULES)
  const deps: AppDeps = {
    ...seedingDeps,
    config: {
      ...seedingDeps.config,
      moderationRules: JSON.stringify({
        privileges: { voteUp: 0, voteDown: 0, commentEverywhere: 0, flag: 0 },
        newMember: { reputationBelow: 0, accountAgeHours: 0 },
      }),
    },
  };
  const start = new Date('2026-09-01T09:00:00Z').getTime();
  let tick = 0;
  const at = () => new Date(start + tick++ * 37 * 60_000);
  deps.services.clock = { now: at };
  const store = seedStore(deps.repos);
  for (const s of SPACES) await store.ensureSpace(s);
  const users = [];
  for (const p of PEOPLE) {
    const existing = await store.findUserByHandleKey(p.handle);
    const u =
      existing ??
      (await createUser(
        { deps },
        {
          handle: p.handle,
          email: `${p.handle}@demo.colloquy.test`,
          password: `demo-password-${p.handle}`,
          displayName: p.name,
          role: p.role,
          affiliation: p.affiliation ?? null,
        },
        at(),
      ));
    users.push({ id: u._id.toHexString(), handle: u.handle, role: p.role });
  }
  const members = users.slice(3);
  const staff = users[1]!;
  let questions = 0;
  let answers = 0;
  for (const [i, topic] of TOPICS.entries()) {
    const asker = members[i % members.length]!;
    const q = await askQuestion(scriptContext(deps, asker), {
      spaceSlug: topic.space,
      title: `How do I troubleshoot ${topic.subject} when ${topic.detail}?`,
      body: `I am using ${topic.subject} and ${topic.detail}.\n\nWhat I tried:\n\n- read the documentation\n- checked the logs\n\n\`\`\`bash\nacme status --verbose\n\`\`\`\n\nIs there a setting I am missing?`,
      tags: topic.tags,
    });
    questions++;
    const answerers = [members[(i + 1) % members.length]!, members[(i + 2) % members.length]!];
    const posted = [];
    for (const [k, who] of answerers.entries()) {
      if (k === 1 && i % 3 === 0) break;
      const a = await postAnswer(scriptContext(deps, who), {
        questionId: q._id.toHexString(),
        body: `${k === 0 ? 'This usually happens because of a default setting.' : 'Another thing to check is the version you run.'} For ${topic.subject}, open the console, go to **Settings → Advanced** and review the limits.\n\n\`\`\`yaml\nstrategy:\n  maxUnavailable: 1\n\`\`\`\n\nAfter that, ${topic.detail.replace(/^it /, 'it no longer ')} should stop.`,
      });
      posted.push(a);
      answers++;
    }
    for (const voter of members) {
      if (voter.id === asker.id) continue;
      if ((i + voter.handle.length) % 2 === 0) await vote(scriptContext(deps, voter), { subjectId: q._id.toHexString(), direction: 'UP' });
      const first = posted[0];
      if (first && voter.id !== answerers[0]!.id)
        await vote(scriptContext(deps, voter), { subjectId: first._id.toHexString(), direction: 'UP' });
    }
    if (posted[0] && i % 2 === 0) await acceptAnswer(scriptContext(deps, asker), posted[0]._id.toHexString());
    if (posted[0] && i % 3 === 1) await setVerified(scriptContext(deps, staff), posted[0]._id.toHexString(), true);
    await addComment(scriptContext(deps, answerers[0]!), {
      subjectId: q._id.toHexString(),
      body: 'Which version are you running? Please add it to the question.',
    });
  }
  deps.services.clock = { now: () => new Date() };
  log(
    `demo community seeded: ${SPACES.length} spaces, ${users.length} members, ${questions} questions, ${answers} answers (sign in as lena / demo-password-lena)`,
  );
}
