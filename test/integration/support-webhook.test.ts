// Issue 15, "Must show": escalating a question emits `support.escalated`, delivered signed to a
// webhook subscribed to it (Standard Webhooks, verified here with the secret), with the case's
// reason and ticket reference; a webhook of another event type gets nothing.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWebhookQueue } from '../../server/src/modules/webhook/webhook.queue.js';
import { startWebhookWorker, type WebhookWorker } from '../../server/src/modules/webhook/webhook.worker.js';
import { ask, rawOf } from '../factories/qa.js';
import { S, supportWorld } from '../factories/support.js';
import { startHarness, type Harness } from '../helpers/harness.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let worker: WebhookWorker | undefined;
let receiver: Server;
let base = '';
const received: Received[] = [];

beforeAll(async () => {
  h = await startHarness({ env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_BACKOFF_BASE_MS: '100', WEBHOOK_MAX_ATTEMPTS: '3' } });
  worker = startWebhookWorker(h.deps);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('thanks');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await worker?.close();
  if (h) await closeWebhookQueue(h.deps);
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await h?.close();
});

async function waitFor<T>(check: () => T | undefined, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } secret errors { code message } } }`;

describe('support.escalated webhooks', () => {
  it('delivers the escalation signed, with the reason and the ticket reference', async () => {
    await h.reset();
    const w = await supportWorld(h);
    const hook = await w.admin.must<{ createWebhook: { secret: string } }>(CREATE, {
      input: { url: `${base}/escalations`, events: ['support.escalated'], description: 'support desk' },
    });
    await w.admin.must(CREATE, { input: { url: `${base}/answers`, events: ['answer.created'], description: 'other' } });
    const q = await ask(w.carol, { spaceSlug: 'db', tags: ['db2'] });
    const esc = await w.carol.must<{ escalateQuestion: { supportCase: { id: string } } }>(S.escalate, {
      input: { questionId: q.id, reason: 'We lose data after the upgrade', externalRef: 'CASE-1234' },
    });

    const got = await waitFor(() => received.find((r) => r.path === '/escalations'), 'the delivery');
    const payload = new Webhook(hook.createWebhook.secret).verify(got.body, {
      'webhook-id': String(got.headers['webhook-id']),
      'webhook-timestamp': String(got.headers['webhook-timestamp']),
      'webhook-signature': String(got.headers['webhook-signature']),
    }) as { type: string; data: Record<string, any> };
    expect(payload.type).toBe('support.escalated');
    expect(payload.data.question).toMatchObject({ id: q.id });
    expect(payload.data.actor).toMatchObject({ handle: 'carol' });
    expect(payload.data.space).toMatchObject({ slug: 'db' });
    expect(payload.data.details).toEqual({
      caseId: rawOf(esc.escalateQuestion.supportCase.id),
      reason: 'We lose data after the upgrade',
      externalRef: 'CASE-1234',
    });
    // nothing for the webhook of another event type
    expect(received.filter((r) => r.path === '/answers')).toEqual([]);
  });
});
