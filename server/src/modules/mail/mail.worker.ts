// The worker's side of e-mail: the `mail` queue (one notification e-mail per job, retried by
// BullMQ) and the digest round (every DIGEST_EVERY_MS: the members whose digest is due).
import { Worker } from 'bullmq';
import type { AppDeps } from '../../context.js';
import { createRedis } from '../../infra/redis.js';
import { MAIL_QUEUE, type MailJob } from './mail.queue.js';
import { processMailJob, runDigests } from './mail.service.js';

const DIGEST_EVERY_MS = 10 * 60_000;

export function startMailWorker(deps: AppDeps): { close(): Promise<void> } {
  const { config, log } = deps;
  const worker = new Worker<MailJob>(MAIL_QUEUE, (job) => processMailJob(deps, job.data), {
    connection: createRedis(config.redisUrl, log, { forQueues: true }),
    prefix: `${config.redisPrefix}bull`,
    concurrency: 2,
  });
  worker.on('failed', (job, error) => log.warn({ jobId: job?.id, err: error.message }, 'mail job failed'));
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> | undefined;
  const digests = async () => {
    try {
      const sent = await runDigests(deps, deps.services.clock.now());
      if (sent.length) log.info({ digests: sent.length }, 'digests sent');
    } catch (error) {
      log.warn({ err: error }, 'digest round failed');
    }
    if (!stopped) timer = setTimeout(() => (round = digests()), DIGEST_EVERY_MS);
  };
  timer = setTimeout(() => (round = digests()), 30_000);
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await round;
      await worker.close();
    },
  };
}
