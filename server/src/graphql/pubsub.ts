// Live updates: the GraphQL subscriptions' pub/sub (graphql-yoga's createPubSub) over Redis
// pub/sub (@graphql-yoga/redis-event-target), so that an event published by any api or worker
// process reaches the subscribers of every api process. Channels carry the Redis prefix (one
// Redis serves several environments and test runs). Payloads are small facts (ids, kinds); each
// subscriber's resolver loads what it may see (authorization per event: modules/notification).
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub } from 'graphql-yoga';
import type { Logger } from '../infra/logger.js';
import { createRedis } from '../infra/redis.js';

/** Something changed on a question's page (an answer, a comment, a vote, an accept…). */
export interface QuestionUpdatePayload {
  questionId: string;
  /** the activity type (`answer.created`, `vote.changed`…) */
  type: string;
  /** the post or comment it is about */
  subjectId: string;
  actorId: string | null;
  at: string;
}

/** A member's inbox got a new (or regrouped) entry. */
export interface NotificationAddedPayload {
  recipientId: string;
  notificationId: string;
}

type Topics = Record<string, [QuestionUpdatePayload | NotificationAddedPayload]>;

export interface LiveUpdates {
  publishQuestionUpdate(payload: QuestionUpdatePayload): void;
  publishNotificationAdded(payload: NotificationAddedPayload): void;
  questionUpdates(questionId: string): AsyncIterable<QuestionUpdatePayload>;
  notificationsOf(memberId: string): AsyncIterable<NotificationAddedPayload>;
  close(): Promise<void>;
}

export function createLiveUpdates(redisUrl: string, prefix: string, log: Logger): LiveUpdates {
  // the subscriber connection waits and resubscribes across outages (like the queues')
  const publishClient = createRedis(redisUrl, log, { forQueues: true });
  const subscribeClient = createRedis(redisUrl, log, { forQueues: true });
  const pubsub = createPubSub<Topics>({ eventTarget: createRedisEventTarget({ publishClient, subscribeClient }) });
  const questionTopic = (id: string) => `${prefix}live:question:${id}`;
  const memberTopic = (id: string) => `${prefix}live:inbox:${id}`;
  return {
    publishQuestionUpdate: (payload) => pubsub.publish(questionTopic(payload.questionId), payload),
    publishNotificationAdded: (payload) => pubsub.publish(memberTopic(payload.recipientId), payload),
    questionUpdates: (id) => pubsub.subscribe(questionTopic(id)) as AsyncIterable<QuestionUpdatePayload>,
    notificationsOf: (id) => pubsub.subscribe(memberTopic(id)) as AsyncIterable<NotificationAddedPayload>,
    async close() {
      publishClient.disconnect();
      subscribeClient.disconnect();
    },
  };
}
