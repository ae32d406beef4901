// Every module's repository, built once at boot over the chosen storage strategy and carried in
// the app's dependencies: services reach them through `reposOf(ctx)`.
import type { Storage } from '../infra/storage.js';
import { BadgeRepository } from './badge/badge.repository.js';
import { BountyRepository } from './bounty/bounty.repository.js';
import { CommentRepository } from './comment/comment.repository.js';
import { ImportStateRepository } from './import/import-state.repository.js';
import { OrganizationRepository } from './organization/organization.repository.js';
import { SupportRepository } from './support/support.repository.js';
import { ListeningRepository } from './listening/listening.repository.js';
import { AnalyticsRepository } from './analytics/analytics.repository.js';
import { AuditRepository } from './moderation/audit.repository.js';
import { FlagRepository } from './moderation/flag.repository.js';
import { StandingRepository } from './moderation/standing.repository.js';
import { NotificationRepository } from './notification/notification.repository.js';
import { FollowRepository } from './follow/follow.repository.js';
import { LinksRepository } from './links/links.repository.js';
import { MailRepository } from './mail/mail.repository.js';
import { PostRepository } from './post/post.repository.js';
import { TagStatsRepository } from './post/tag-stats.repository.js';
import { ThreadRepository } from './post/thread.repository.js';
import { UserStatsRepository } from './post/user-stats.repository.js';
import { ReputationRepository } from './reputation/reputation.repository.js';
import { CloseVoteRepository, ReviewTaskRepository, SuggestedEditRepository } from './review/review.repository.js';
import { SeedStateRepository } from './seed/seed-state.repository.js';
import { RevisionRepository } from './revision/revision.repository.js';
import { ApiTokenRepository, SessionRepository } from './session/session.repository.js';
import { SpaceRepository } from './space/space.repository.js';
import { TagRepository } from './tag/tag.repository.js';
import { UserRepository } from './user/user.repository.js';
import { VoteRepository } from './vote/vote.repository.js';
import { WebhookRepository } from './webhook/webhook.repository.js';

export interface Repositories {
  storage: Storage;
  posts: PostRepository;
  threads: ThreadRepository;
  /** rollups of the posts: a tag's and a member's statistics (post/post.rollups.ts) */
  tagStats: TagStatsRepository;
  userStats: UserStatsRepository;
  comments: CommentRepository;
  revisions: RevisionRepository;
  votes: VoteRepository;
  reputation: ReputationRepository;
  users: UserRepository;
  sessions: SessionRepository;
  apiTokens: ApiTokenRepository;
  spaces: SpaceRepository;
  tags: TagRepository;
  badges: BadgeRepository;
  /** bounties, each question's bounty state and the featured set (modules/bounty) */
  bounties: BountyRepository;
  importState: ImportStateRepository;
  seedState: SeedStateRepository;
  /** webhooks, their registry and delivery log (modules/webhook) */
  webhooks: WebhookRepository;
  /** notifications, mentions and the members' inbox read model (modules/notification) */
  notifications: NotificationRepository;
  /** who follows which question, tag, space or member (modules/follow) */
  follows: FollowRepository;
  /** a question's inbound links and search-derived related questions (modules/links) */
  links: LinksRepository;
  /** e-mail preferences and settings (modules/mail) */
  mail: MailRepository;
  /** organisations, their memberships and email domains (organization/) */
  organizations: OrganizationRepository;
  /** support settings, tickets, cases, verifications (support/) */
  support: SupportRepository;
  /** listening watches and matches (listening/) */
  listening: ListeningRepository;
  /** per-space daily community figures (analytics/) */
  analytics: AnalyticsRepository;
  /** moderation: the audit log, members' standing and messages, flags (modules/moderation) */
  audit: AuditRepository;
  standing: StandingRepository;
  flags: FlagRepository;
  /** close/reopen/delete votes, review tasks and suggested edits (modules/review) */
  closeVotes: CloseVoteRepository;
  reviewTasks: ReviewTaskRepository;
  suggestedEdits: SuggestedEditRepository;
}

export function createRepositories(storage: Storage): Repositories {
  const posts = new PostRepository(storage);
  const comments = new CommentRepository(storage);
  return {
    storage,
    posts,
    threads: new ThreadRepository(storage, posts, comments),
    tagStats: new TagStatsRepository(storage),
    userStats: new UserStatsRepository(storage),
    comments,
    revisions: new RevisionRepository(storage),
    votes: new VoteRepository(storage),
    reputation: new ReputationRepository(storage),
    users: new UserRepository(storage),
    sessions: new SessionRepository(storage),
    apiTokens: new ApiTokenRepository(storage),
    spaces: new SpaceRepository(storage),
    tags: new TagRepository(storage),
    badges: new BadgeRepository(storage),
    bounties: new BountyRepository(storage),
    importState: new ImportStateRepository(storage),
    seedState: new SeedStateRepository(storage),
    webhooks: new WebhookRepository(storage),
    notifications: new NotificationRepository(storage),
    follows: new FollowRepository(storage),
    links: new LinksRepository(storage),
    mail: new MailRepository(storage),
    organizations: new OrganizationRepository(storage),
    support: new SupportRepository(storage),
    listening: new ListeningRepository(storage),
    analytics: new AnalyticsRepository(storage),
    audit: new AuditRepository(storage),
    standing: new StandingRepository(storage),
    flags: new FlagRepository(storage),
    closeVotes: new CloseVoteRepository(storage),
    reviewTasks: new ReviewTaskRepository(storage),
    suggestedEdits: new SuggestedEditRepository(storage),
  };
}
