// Builders for the vendor-support integration tests: a vendor with engineers, customer
// organisations, a product space with versions and a 4-business-hour SLA.
import type { ActivityEvent } from '../../server/src/modules/activity/activity.js';
import type { Agent, Harness } from '../helpers/harness.js';
import { createSpace, member, PASSWORD, type Member } from './qa.js';

export const S = {
  createOrg: `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id slug name kind domains supportTier } errors { code message } } }`,
  updateOrg: `mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id spaces { slug } } errors { code message } } }`,
  addMember: `mutation($input: AddOrganizationMemberInput!) { addOrganizationMember(input: $input) { organization { id } errors { code message } } }`,
  addVersion: `mutation($input: AddProductVersionInput!) { addProductVersion(input: $input) { versions errors { code message } } }`,
  policy: `mutation($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { policy { timeZone targets { tier firstResponseMinutes } } errors { code message } } }`,
  queue: `query($filter: SupportQueueFilter, $first: Int, $after: String) { supportQueue(filter: $filter, first: $first, after: $after) { totalCount hasNextPage endCursor nodes { question { id title } slaState phase minutesLeft tier reverify escalated verifiedVersions assignee { handle } customer { name } supportCase { id status } } } }`,
  suggested: `query($id: ID!) { suggestedAssignees(questionId: $id) { user { handle } score acceptedAnswers answers tags openAssignments } }`,
  assign: `mutation($input: AssignQuestionInput!) { assignQuestion(input: $input) { entry { assignee { handle } } errors { code message } } }`,
  unassign: `mutation($input: UnassignQuestionInput!) { unassignQuestion(input: $input) { entry { assignee { handle } } errors { code message } } }`,
  verify: `mutation($input: VerifyAnswerInput!) { verifyAnswer(input: $input) { answer { id isVerified verifiedVersions verificationLabel } errors { code message } } }`,
  escalate: `mutation($input: EscalateQuestionInput!) { escalateQuestion(input: $input) { supportCase { id status reason } errors { code message } } }`,
  updateCase: `mutation($input: UpdateSupportCaseInput!) { updateSupportCase(input: $input) { supportCase { id status resolutionAnswer { id } } errors { code message } } }`,
  question: `query($id: ID!) { question(id: $id) { id escalatedToSupport verifiedVersionsLabel supportCase { id status } support { slaState phase } author { orgBadge } answers(first: 10) { nodes { id verifiedVersions verificationLabel verificationOutdated author { orgBadge } } } } }`,
};

/** Signs up a member with their own email (domain joins). */
export async function memberWithEmail(h: Harness, handle: string, email: string): Promise<Member> {
  const agent = h.agent();
  const r = await agent.must<{ signUp: { viewer: { id: string } } }>(
    `mutation($input: SignUpInput!) { signUp(input: $input) { viewer { id } errors { code message } } }`,
    { input: { handle, email, password: PASSWORD, displayName: handle } },
  );
  return Object.assign(agent, { id: r.signUp.viewer.id, handle });
}

export async function createOrg(
  admin: Agent,
  input: { slug: string; name: string; kind: 'VENDOR' | 'CUSTOMER'; domains?: string[]; supportTier?: string },
): Promise<string> {
  const r = await admin.must<{ createOrganization: { organization: { id: string } } }>(S.createOrg, { input });
  return r.createOrganization.organization.id;
}

export interface SupportWorld {
  admin: Member;
  space: { id: string; slug: string };
  vendorId: string;
  bankId: string;
  engineers: [Member, Member];
  /** a customer of Acme Bank (joined by email domain) */
  carol: Member;
  /** a customer of another bank */
  dave: Member;
  /** a member of no organisation */
  mia: Member;
}

/** Acme Corp (vendor of space "db") with two engineers, Acme Bank and Other Bank (customers). */
export async function supportWorld(h: Harness): Promise<SupportWorld> {
  const admin = await member(h, 'admin', { role: 'ADMIN' });
  const space = await createSpace(admin, 'db', 'Acme DB');
  const vendorId = await createOrg(admin, { slug: 'acme', name: 'Acme Corp', kind: 'VENDOR' });
  await admin.must(S.updateOrg, { input: { organizationId: vendorId, spaceIds: [space.id] } });
  const bankId = await createOrg(admin, { slug: 'acme-bank', name: 'Acme Bank', kind: 'CUSTOMER', domains: ['acmebank.example'] });
  const otherId = await createOrg(admin, { slug: 'other-bank', name: 'Other Bank', kind: 'CUSTOMER', domains: ['otherbank.example'] });
  const engineers: Member[] = [];
  for (const handle of ['eng1', 'eng2']) {
    const m = await member(h, handle, { role: 'STAFF', affiliation: 'Acme Corp' });
    await admin.must(S.addMember, { input: { organizationId: vendorId, handle } });
    engineers.push(m);
  }
  const carol = await memberWithEmail(h, 'carol', 'carol@acmebank.example');
  const dave = await memberWithEmail(h, 'dave', 'dave@otherbank.example');
  const mia = await member(h, 'mia');
  void otherId;
  return { admin, space, vendorId, bankId, engineers: [engineers[0]!, engineers[1]!], carol, dave, mia };
}

/** Records the activity stream's events (an observer in front of the inline bus). */
export function recordActivity(h: Harness): ActivityEvent[] {
  const seen: ActivityEvent[] = [];
  const bus = h.deps.services.activity;
  const publish = bus.publish.bind(bus);
  bus.publish = async (event) => {
    seen.push(event);
    await publish(event);
  };
  return seen;
}
