// The activity stream: what happened, said once by the service that did it, for every feature that
// reacts (webhooks, notifications, badges, listening, live updates). Services call
// `publishActivity(ctx, …)` after their write; the event gets an id (consumers are idempotent on
// it) and goes out
//   - queued (api): onto the BullMQ `activity` queue; the worker runs every handler
//     (`runActivityHandlers`) with retries, so a handler's failure never fails the write;
//   - inline (scripts, integration tests): the handlers run in-process right after the write.
// Handlers are registered once per process in activity.handlers.ts (the composition root).
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import type { AppDeps } from '../../context.js';
import type { Config } from '../../config.js';
import { requestScope, type Logger } from '../../infra/logger.js';

export const ACTIVITY_QUEUE = 'activity';

export const ACTIVITY_TYPES = [
  'question.created',
  'question.updated',
  'question.closed',
  'question.reopened',
  'question.deleted',
  'answer.created',
  'answer.updated',
  'answer.accepted',
  'answer.unaccepted',
  'answer.verified',
  'answer.deleted',
  'comment.created',
  'comment.updated',
  'comment.deleted',
  'vote.changed',
  'flag.created',
  'support.escalated',
  'bounty.offered',
  'bounty.awarded',
  'bounty.expired',
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number] | (string & {});

export interface ActivityEvent {
  /** unique (ObjectId hex): consumers are idempotent on it */
  id: string;
  type: ActivityType;
  /** ISO time of the write (the service's clock) */
  at: string;
  /** who did it (null: the system) */
  actorId: string | null;
  /** the post, comment, member, flag… the event is about */
  subjectId: string;
  /** the question the subject belongs to, when it is content */
  questionId?: string | null;
  spaceId?: string | null;
  /** small, JSON-safe details (e.g. `{ direction: 'UP', score: 3 }`) */
  data?: Record<string, unknown>;
  /** the request that caused it (x-request-id): the worker's log lines for the job carry it */
  requestId?: string;
}

export type ActivityInput = Omit<ActivityEvent, 'id' | 'at' | 'requestId'> & { at?: Date };

/** A consumer: must be idempotent on `event.id` (a job may run again after a crash). */
export interface ActivityHandler {
  name: string;
  handle(deps: AppDeps, event: ActivityEvent): Promise<void>;
}

export interface ActivityBus {
  publish(event: ActivityEvent): Promise<void>;
  close?(): Promise<void>;
}

/** how long a write waits for its event to be queued before going on without it */
const ENQUEUE_TIMEOUT_MS = 500;

export function createQueuedActivity(connection: Redis, config: Readonly<Config>, log: Logger): ActivityBus {
  const queue = new Queue<ActivityEvent>(ACTIVITY_QUEUE, { connection, prefix: `${config.redisPrefix}bull` });
  queue.on('error', () => undefined);
  return {
    async publish(event) {
      let timer: NodeJS.Timeout | undefined;
      const added = queue.add(event.type, event, {
        jobId: event.id,
        removeOnComplete: 1000,
        removeOnFail: 5000,
        attempts: 8,
        backoff: { type: 'exponential', delay: 1000 },
      });
      try {
        await Promise.race([
          added,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`queueing took longer than ${ENQUEUE_TIMEOUT_MS} ms`)), ENQUEUE_TIMEOUT_MS);
          }),
        ]);
      } catch (error) {
        added.catch(() => undefined);
        log.warn({ err: error, event: event.type, id: event.id }, 'activity event could not be queued');
      } finally {
        clearTimeout(timer);
      }
    },
    // BullMQ leaves a connection it was given open
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}

/** Inline: the handlers run right away, in-process (their failures are logged). */
export function createInlineActivity(getDeps: () => AppDeps, handlers: () => readonly ActivityHandler[]): ActivityBus {
  return {
    async publish(event) {
      await runActivityHandlers(getDeps(), handlers(), event, { throwOnFailure: false });
    },
  };
}

/** Runs every handler on one event; in the worker a failure throws so that BullMQ retries the job. */
export async function runActivityHandlers(
  deps: AppDeps,
  handlers: readonly ActivityHandler[],
  event: ActivityEvent,
  options: { throwOnFailure: boolean },
): Promise<void> {
  const failed: string[] = [];
  for (const handler of handlers) {
    try {
      await handler.handle(deps, event);
    } catch (error) {
      failed.push(handler.name);
      deps.log.warn({ err: error, handler: handler.name, event: event.type, id: event.id }, 'activity handler failed');
    }
  }
  if (failed.length && options.throwOnFailure) throw new Error(`activity handlers failed: ${failed.join(', ')}`);
}

/** Says what happened; never fails the write that called it. */
export async function publishActivity(ctx: { deps: AppDeps; log?: Logger }, input: ActivityInput): Promise<ActivityEvent> {
  const { at, ...rest } = input;
  const event: ActivityEvent = {
    ...rest,
    id: new Types.ObjectId().toHexString(),
    at: (at ?? ctx.deps.services.clock.now()).toISOString(),
  };
  const requestId = requestScope.getStore()?.requestId;
  if (requestId) event.requestId = requestId;
  try {
    await ctx.deps.services.activity.publish(event);
  } catch (error) {
    (ctx.log ?? ctx.deps.log).warn({ err: error, event: event.type }, 'activity event failed');
  }
  return event;
}
