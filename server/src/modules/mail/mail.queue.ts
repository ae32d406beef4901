// The `mail` BullMQ queue: notification e-mails are sent by the worker (mail.service.ts
// processMailJob), never on the request path. One job per (event, recipient): a retried
// activity event never queues a second mail.
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../../config.js';
import type { Logger } from '../../infra/logger.js';

export const MAIL_QUEUE = 'mail';

export interface MailJob {
  notificationId: string;
  eventId: string;
  /** the answer, comment or post the mail is about */
  subjectId: string;
}

export interface MailQueue {
  add(job: MailJob): Promise<void>;
  close(): Promise<void>;
}

export function createMailQueue(connection: Redis, config: Readonly<Config>, log: Logger): MailQueue {
  const queue = new Queue<MailJob>(MAIL_QUEUE, { connection, prefix: `${config.redisPrefix}bull` });
  queue.on('error', () => undefined);
  return {
    async add(job) {
      try {
        await queue.add('notification', job, {
          jobId: `${job.eventId}-${job.notificationId}`,
          removeOnComplete: 1000,
          removeOnFail: 5000,
          attempts: 5,
          backoff: { type: 'exponential', delay: 2000 },
        });
      } catch (error) {
        log.warn({ err: error, job }, 'mail job could not be queued');
      }
    },
    // BullMQ leaves a connection it was given open: a script's process would never exit
    async close() {
      await queue.close();
      connection.disconnect();
    },
  };
}
