// Every module's repository, built once at boot over the chosen storage strategy and carried in
// the app's dependencies: services reach them through `reposOf(ctx)`.
import type { Storage } from '../infra/storage.js';
import { BadgeRepository } from './badge/badge.repository.js';
import { CommentRepository } from './comment/comment.repository.js';
import { ImportStateRepository } from './import/import-state.repository.js';
import { PostRepository } from './post/post.repository.js';
import { TagStatsRepository } from './post/tag-stats.repository.js';
import { ThreadRepository } from './post/thread.repository.js';
import { UserStatsRepository } from './post/user-stats.repository.js';
import { ReputationRepository } from './reputation/reputation.repository.js';
import { SeedStateRepository } from './seed/seed-state.repository.js';
import { RevisionRepository } from './revision/revision.repository.js';
import { ApiTokenRepository, SessionRepository } from './session/session.repository.js';
import { SpaceRepository } from './space/space.repository.js';
import { TagRepository } from './tag/tag.repository.js';
import { UserRepository } from './user/user.repository.js';
import { VoteRepository } from './vote/vote.repository.js';

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
  importState: ImportStateRepository;
  seedState: SeedStateRepository;
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
    importState: new ImportStateRepository(storage),
    seedState: new SeedStateRepository(storage),
  };
}
