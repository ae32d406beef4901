// The `support` activity handler: starts a customer question's SLA timers, notes the vendor's
// first response and the resolution (accepted or verified answer), records verified versions,
// and sends verified answers back to the queue as "re-verify" when a new version is declared.
// Every step is a set-style write: a rerun of the same event changes nothing more.
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import type { ActivityEvent, ActivityHandler } from '../activity/activity.js';
import { membershipOf } from '../organization/organization.service.js';
import { addBusinessMinutes } from './business-hours.js';
import type { TicketDoc } from './support.model.js';
import { calendarOf, coversLatest, inQueue, targetFor } from './support.rules.js';
import { queueOf, supportSpace, syncQueue } from './support.service.js';

async function onQuestionCreated(deps: AppDeps, event: ActivityEvent) {
  const question = await deps.repos.posts.findById(new Types.ObjectId(event.subjectId));
  if (!question || question.type !== 'question' || question.deletedAt) return;
  const vendor = await deps.repos.organizations.findVendorOfSpace(question.spaceId);
  if (!vendor) return;
  const membership = await membershipOf(deps, question.authorId);
  if (membership?.orgKind !== 'CUSTOMER' || !membership.orgId) return;
  const customer = await deps.repos.organizations.findById(membership.orgId);
  const settings = await supportSpace(deps, question.spaceId);
  const target = targetFor(settings.targets, customer?.supportTier);
  const calendar = calendarOf(settings);
  const askedAt = question.createdAt;
  const ticket: Omit<TicketDoc, 'createdAt' | 'updatedAt'> = {
    _id: question._id,
    spaceId: question.spaceId,
    vendorOrgId: vendor._id,
    askerId: question.authorId,
    customerOrgId: membership.orgId,
    tier: customer?.supportTier ?? 'DEFAULT',
    askedAt,
    firstResponseDue: addBusinessMinutes(askedAt, target.firstResponseMinutes, calendar),
    resolutionDue: addBusinessMinutes(askedAt, target.resolutionMinutes, calendar),
    warnBeforeMinutes: settings.warnBeforeMinutes,
    firstResponseAt: null,
    resolvedAt: null,
    status: 'OPEN',
    assigneeId: null,
    caseId: null,
    caseOpen: false,
    reverify: false,
    reverifySince: null,
    verifiedAnswerId: null,
    verifiedVersions: [],
    notices: [],
  };
  await deps.repos.support.tickets.createOnce(ticket);
  const stored = await deps.repos.support.tickets.findById(question._id);
  if (stored) await syncQueue(deps, stored);
}

async function isVendorEngineer(deps: AppDeps, ticket: TicketDoc, userId: Types.ObjectId): Promise<boolean> {
  const membership = await membershipOf(deps, userId);
  return !!membership?.orgId?.equals(ticket.vendorOrgId);
}

async function onAnswerCreated(deps: AppDeps, event: ActivityEvent) {
  if (!event.questionId) return;
  const ticket = await deps.repos.support.tickets.findById(new Types.ObjectId(event.questionId));
  if (!ticket || ticket.firstResponseAt) return;
  const answer = await deps.repos.posts.findById(new Types.ObjectId(event.subjectId), 'authorId deletedAt');
  if (!answer || answer.deletedAt || !(await isVendorEngineer(deps, ticket, answer.authorId))) return;
  const updated = await deps.repos.support.tickets.updateIfReturning(
    ticket._id,
    { firstResponseAt: null },
    { $set: { firstResponseAt: new Date(event.at) } },
  );
  if (updated) await syncQueue(deps, updated);
}

async function onResolved(deps: AppDeps, event: ActivityEvent) {
  if (!event.questionId) return;
  const answerId = new Types.ObjectId(event.subjectId);
  const at = new Date(event.at);
  const answer = await deps.repos.posts.findById(answerId, 'questionId spaceId');
  if (!answer?.questionId) return;
  if (event.type === 'answer.verified') {
    const versions = Array.isArray(event.data?.versions) ? (event.data.versions as unknown[]).map(String) : [];
    await deps.repos.support.verifications.update(
      answerId,
      { $set: { questionId: answer.questionId, spaceId: answer.spaceId, versions, verifiedAt: at } },
      { upsert: true },
    );
  }
  const ticket = await deps.repos.support.tickets.findById(answer.questionId);
  if (!ticket) return;
  const set: Record<string, unknown> = {};
  if (ticket.status === 'OPEN') Object.assign(set, { status: 'RESOLVED', resolvedAt: at, firstResponseAt: ticket.firstResponseAt ?? at });
  if (event.type === 'answer.verified') {
    const versions = Array.isArray(event.data?.versions) ? (event.data.versions as unknown[]).map(String) : [];
    const declared = (await supportSpace(deps, ticket.spaceId)).versions;
    Object.assign(set, { verifiedAnswerId: answerId, verifiedVersions: versions });
    if (coversLatest(declared, versions)) Object.assign(set, { reverify: false, reverifySince: null });
  }
  if (Object.keys(set).length === 0) return;
  const updated = (await deps.repos.support.tickets.updateReturning(ticket._id, { $set: set }))!;
  await syncQueue(deps, updated);
  if (ticket.assigneeId && inQueue(ticket) && !inQueue(updated)) await queueOf(deps).adjustLoad(ticket.assigneeId.toHexString(), -1);
}

async function onVersionAdded(deps: AppDeps, event: ActivityEvent) {
  const spaceId = new Types.ObjectId(event.subjectId);
  const declared = (await supportSpace(deps, spaceId)).versions;
  for (const ticket of await deps.repos.support.tickets.findVerifiedInSpace(spaceId)) {
    if (ticket.reverify || coversLatest(declared, ticket.verifiedVersions)) continue;
    const updated = await deps.repos.support.tickets.updateReturning(ticket._id, {
      $set: { reverify: true, reverifySince: new Date(event.at) },
    });
    if (updated) await syncQueue(deps, updated);
  }
}

async function onQuestionGone(deps: AppDeps, event: ActivityEvent) {
  const ticket = await deps.repos.support.tickets.findById(new Types.ObjectId(event.subjectId));
  if (!ticket) return;
  const status = event.type === 'question.reopened' ? 'OPEN' : 'CLOSED';
  if (status === 'OPEN' && ticket.resolvedAt) return;
  const updated = (await deps.repos.support.tickets.updateReturning(ticket._id, { $set: { status } }))!;
  await syncQueue(deps, updated);
}

export const supportHandler: ActivityHandler = {
  name: 'support',
  async handle(deps, event) {
    switch (event.type) {
      case 'question.created':
        return onQuestionCreated(deps, event);
      case 'answer.created':
        return onAnswerCreated(deps, event);
      case 'answer.accepted':
      case 'answer.verified':
        return onResolved(deps, event);
      case 'support.version.added':
        return onVersionAdded(deps, event);
      case 'question.deleted':
      case 'question.closed':
      case 'question.reopened':
        return onQuestionGone(deps, event);
      default:
        return;
    }
  },
};
