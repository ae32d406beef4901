// Webhooks end to end against a local HTTP receiver started here: events delivered and verified
// with `standardwebhooks`, retries recorded in the delivery log, redelivery and ping, the SSRF
// defence, deletion and disabling stopping deliveries, and who may manage webhooks.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookDeliveryModel } from '../../server/src/modules/webhook/webhook.model.js';
import { createWebhook } from '../../server/src/modules/webhook/webhook.service.js';
import { send } from '../../server/src/modules/webhook/webhook.send.js';
import { startWebhookWorker, type WebhookWorker } from '../../server/src/modules/webhook/webhook.worker.js';
import { closeWebhookQueue } from '../../server/src/modules/webhook/webhook.queue.js';
import { ValidationError } from '../../server/src/lib/errors.js';
import { ask, createSpace, member, payloadErrors, rawOf, serviceContext, type Member } from '../factories/qa.js';
import { startHarness, type Agent, type Harness } from '../helpers/harness.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness;
let worker: WebhookWorker;
let receiver: Server;
let target: string;
let received: Received[] = [];
/** status codes the receiver answers with, in order (then 200) */
let replies: number[] = [];

beforeAll(async () => {
  h = await startHarness({
    env: {
      // the receiver listens on 127.0.0.1: the test setting lets webhooks reach it
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_BACKOFF_BASE_MS: '100',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_MAX_FAILURES: '2',
    },
  });
  worker = startWebhookWorker(h.deps);
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = replies.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status === 200 ? 'thanks' : `nope ${status}`);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  await worker?.close();
  if (h) await closeWebhookQueue(h.deps);
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await h?.close();
});

let admin: Member;
let alice: Member;

beforeEach(async () => {
  await h.reset();
  received = [];
  replies = [];
  admin = await member(h, 'root', { role: 'ADMIN' });
  alice = await member(h, 'alice');
  await createSpace(admin, 'widgets', 'Widgets');
});

/** Polls `check` until it returns a value (not undefined/false) or `ms` pass. */
async function waitFor<T>(check: () => T | Promise<T>, ms = 5_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ERRORS = `errors { __typename code message ... on ValidationError { field } }`;
const HOOK = `id url events active disabledReason consecutiveFailures space { slug }`;
const CREATE = `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { ${HOOK} } secret ${ERRORS} } }`;
const UPDATE = `mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { ${HOOK} } ${ERRORS} } }`;
const DELETE = `mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { deletedWebhookId ${ERRORS} } }`;
const PING = `mutation($input: PingWebhookInput!) { pingWebhook(input: $input) { delivery { id messageId event status } ${ERRORS} } }`;
const REDELIVER = `mutation($input: RedeliverWebhookDeliveryInput!) { redeliverWebhookDelivery(input: $input) { delivery { id status } ${ERRORS} } }`;
const LIST = `{ webhooks(first: 10) { nodes { ${HOOK} } } }`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(webhookId: $id, first: 20) { nodes { id messageId event status requestBody
  attempts { number isRedelivery responseStatus responseBodyExcerpt durationMs error succeeded requestHeaders { name value } } } } }`;

interface HookData {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
}

async function createHook(agent: Agent, input: Record<string, unknown> = {}): Promise<{ webhook: HookData; secret: string }> {
  const r = await agent.must<{ createWebhook: { webhook: HookData; secret: string } }>(CREATE, {
    input: { url: target, events: ['question.created', 'answer.created'], description: 'partner', ...input },
  });
  return r.createWebhook;
}

interface DeliveryData {
  id: string;
  messageId: string;
  event: string;
  status: string;
  requestBody: string | null;
  attempts: Array<{
    number: number;
    isRedelivery: boolean;
    responseStatus: number | null;
    responseBodyExcerpt: string | null;
    error: string | null;
    succeeded: boolean;
    requestHeaders: Array<{ name: string; value: string }>;
  }>;
}

async function deliveries(webhookId: string): Promise<DeliveryData[]> {
  const r = await admin.must<{ webhookDeliveries: { nodes: DeliveryData[] } }>(DELIVERIES, { id: webhookId });
  return r.webhookDeliveries.nodes;
}

const headersOf = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

describe('delivery', () => {
  it('delivers a signed event that standardwebhooks verifies, within 2 s of the event', async () => {
    const { webhook, secret } = await createHook(admin);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(webhook).toMatchObject({ url: target, active: true, events: ['question.created', 'answer.created'] });
    // the secret is shown once: the list does not carry it
    const listed = await admin.gql(`{ webhooks(first: 10) { nodes { id } } }`);
    expect(JSON.stringify(listed.data)).not.toContain('whsec_');

    const asked = Date.now();
    const question = await ask(alice, { title: 'How do I rotate the frobnicator signing keys safely?' });
    const got = await waitFor(() => received[0], 2_000, 'the delivery');
    // a bound on latency (the "within 2 s"), not a benchmark
    expect(Date.now() - asked).toBeLessThan(2_000);

    const payload = new Webhook(secret).verify(got.body, headersOf(got)) as {
      type: string;
      timestamp: string;
      data: { question: { id: string; title: string; url: string }; actor: { handle: string }; space: { slug: string } };
    };
    expect(payload.type).toBe('question.created');
    expect(payload.data.question.id).toBe(question.id);
    expect(payload.data.question.title).toBe('How do I rotate the frobnicator signing keys safely?');
    expect(payload.data.question.url).toContain(`/questions/${rawOf(question.id)}`);
    expect(payload.data.actor.handle).toBe('alice');
    expect(payload.data.space.slug).toBe('widgets');
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toMatch(/^Colloquy-Webhooks/);
    // a wrong secret does not verify
    expect(() => new Webhook(`whsec_${Buffer.from('x'.repeat(32)).toString('base64')}`).verify(got.body, headersOf(got))).toThrow();

    const [delivery] = await waitFor(async () => {
      const list = await deliveries(webhook.id);
      return list[0]?.status === 'SUCCEEDED' ? list : undefined;
    });
    expect(delivery!.messageId).toBe(got.headers['webhook-id']);
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.attempts[0]).toMatchObject({ number: 1, responseStatus: 200, responseBodyExcerpt: 'thanks', succeeded: true });
  });

  it('retries: 500, 500, then 200 gives three attempts in the log with one webhook-id', async () => {
    const { webhook, secret } = await createHook(admin);
    replies = [500, 500];
    await ask(alice);
    const [delivery] = await waitFor(async () => {
      const list = await deliveries(webhook.id);
      return list[0]?.status === 'SUCCEEDED' ? list : undefined;
    }, 10_000);
    expect(delivery!.attempts.map((a) => a.responseStatus)).toEqual([500, 500, 200]);
    expect(delivery!.attempts.map((a) => a.number)).toEqual([1, 2, 3]);
    expect(delivery!.attempts[0]!.responseBodyExcerpt).toBe('nope 500');
    expect(delivery!.attempts[0]!.error).toBe('HTTP 500');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set([delivery!.messageId]));
    // every attempt is signed (and verifies)
    for (const r of received) expect(() => new Webhook(secret).verify(r.body, headersOf(r))).not.toThrow();
    const headerNames = delivery!.attempts[2]!.requestHeaders.map((x) => x.name);
    expect(headerNames).toEqual(expect.arrayContaining(['webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-type']));
    // a success resets the failure count
    const hooks = await admin.must<{ webhooks: { nodes: HookData[] } }>(LIST);
    expect(hooks.webhooks.nodes[0]!.consecutiveFailures).toBe(0);
  });

  it('redelivers a delivery on request (same webhook-id, a new attempt marked as redelivery), and pings', async () => {
    const { webhook, secret } = await createHook(admin);
    await ask(alice);
    const [first] = await waitFor(async () => {
      const list = await deliveries(webhook.id);
      return list[0]?.status === 'SUCCEEDED' ? list : undefined;
    });
    const r = await admin.must<{ redeliverWebhookDelivery: { delivery: { id: string; status: string } } }>(REDELIVER, {
      input: { deliveryId: first!.id },
    });
    expect(r.redeliverWebhookDelivery.delivery.id).toBe(first!.id);
    await waitFor(() => received.length === 2, 5_000, 'the redelivery');
    expect(received[1]!.headers['webhook-id']).toBe(first!.messageId);
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(() => new Webhook(secret).verify(received[1]!.body, headersOf(received[1]!))).not.toThrow();
    const [again] = await waitFor(async () => {
      const list = await deliveries(webhook.id);
      return list[0]?.attempts.length === 2 ? list : undefined;
    });
    expect(again!.attempts.map((a) => a.isRedelivery)).toEqual([false, true]);
    expect(again!.status).toBe('SUCCEEDED');

    const ping = await admin.must<{ pingWebhook: { delivery: { event: string; messageId: string } } }>(PING, {
      input: { webhookId: webhook.id },
    });
    expect(ping.pingWebhook.delivery.event).toBe('ping');
    const got = await waitFor(() => received[2], 5_000, 'the ping');
    const payload = new Webhook(secret).verify(got.body, headersOf(got)) as { type: string; data: { webhook: { id: string } } };
    expect(payload).toMatchObject({ type: 'ping', data: { webhook: { id: webhook.id } } });
    expect(got.headers['webhook-id']).toBe(ping.pingWebhook.delivery.messageId);
  });

  it('delivers only the subscribed events of the chosen space', async () => {
    const other = await createSpace(admin, 'gadgets', 'Gadgets');
    const widgets = await admin.must<{ space: { id: string } }>(`{ space(slug: "widgets") { id } }`);
    const { webhook } = await createHook(admin, { events: ['question.created'], spaceId: widgets.space.id });
    expect(webhook).toMatchObject({ events: ['question.created'] });
    await ask(alice, { spaceSlug: other.slug, title: 'A gadget question nobody subscribed to here?' });
    await ask(alice, { spaceSlug: 'widgets', title: 'A widget question the webhook wants to hear of?' });
    const got = await waitFor(() => received[0], 5_000, 'the delivery');
    expect((JSON.parse(got.body) as { data: { question: { title: string } } }).data.question.title).toBe(
      'A widget question the webhook wants to hear of?',
    );
    // the gadget question made no delivery at all (fan-out is synchronous in the tests)
    expect(await deliveries(webhook.id)).toHaveLength(1);
  });
});

describe('stopping deliveries', () => {
  it('deleting a webhook stops its deliveries: pending retries are abandoned and new events make none', async () => {
    const { webhook } = await createHook(admin);
    replies = [500, 500, 500];
    await ask(alice);
    await waitFor(() => received.length >= 1, 5_000, 'the first attempt');
    const deleted = await admin.must<{ deleteWebhook: { deletedWebhookId: string } }>(DELETE, { input: { webhookId: webhook.id } });
    expect(deleted.deleteWebhook.deletedWebhookId).toBe(webhook.id);
    // the retry finds the webhook gone: the delivery is closed without another request
    const delivery = await waitFor(
      async () => {
        const d = (await WebhookDeliveryModel.findOne({}).lean()) as { status: string; note: string | null; attempts: unknown[] } | null;
        return d?.status === 'failed' ? d : undefined;
      },
      5_000,
      'the delivery to be abandoned',
    );
    const sent = received.length;
    expect(delivery.attempts.length).toBe(sent);
    if (sent < 3) expect(delivery.note).toBe('the webhook was deleted');
    await ask(alice, { title: 'Another question after the webhook was deleted?' });
    expect(await WebhookDeliveryModel.countDocuments({})).toBe(1);
    const list = await admin.must<{ webhooks: { nodes: HookData[] } }>(LIST);
    expect(list.webhooks.nodes).toEqual([]);
  });

  it('a disabled webhook gets nothing; repeated failed deliveries disable it with a reason; enabling resets it', async () => {
    const { webhook } = await createHook(admin);
    const off = await admin.must<{ updateWebhook: { webhook: HookData } }>(UPDATE, { input: { webhookId: webhook.id, active: false } });
    expect(off.updateWebhook.webhook).toMatchObject({ active: false, disabledReason: 'Disabled by root.' });
    await ask(alice);
    expect(await deliveries(webhook.id)).toEqual([]);

    await admin.must(UPDATE, { input: { webhookId: webhook.id, active: true } });
    replies = Array<number>(6).fill(503);
    await ask(alice, { title: 'First question whose delivery keeps failing here?' });
    await ask(alice, { title: 'Second question whose delivery keeps failing too?' });
    const disabled = await waitFor(
      async () => {
        const list = await admin.must<{ webhooks: { nodes: HookData[] } }>(LIST);
        return list.webhooks.nodes[0]?.active === false ? list.webhooks.nodes[0] : undefined;
      },
      10_000,
      'the webhook to be disabled',
    );
    expect(disabled.consecutiveFailures).toBe(2);
    expect(disabled.disabledReason).toMatch(/^Disabled after 2 deliveries in a row failed/);
    const log = await deliveries(webhook.id);
    expect(log.map((d) => d.status)).toEqual(['FAILED', 'FAILED']);
    expect(log.every((d) => d.attempts.length === 3)).toBe(true);

    const on = await admin.must<{ updateWebhook: { webhook: HookData } }>(UPDATE, { input: { webhookId: webhook.id, active: true } });
    expect(on.updateWebhook.webhook).toMatchObject({ active: true, disabledReason: null, consecutiveFailures: 0 });
  });
});

describe('SSRF defence', () => {
  const strict = () => {
    const config = { ...h.deps.config, webhooks: { ...h.deps.config.webhooks, allowPrivateTargets: false } };
    return serviceContext(h, { id: rawOf(admin.id), handle: 'root', role: 'ADMIN' }, { ...h.deps, config });
  };

  it('refuses loopback, private, link-local, CGNAT and non-http targets unless the dev setting allows it (nothing written)', async () => {
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://192.168.1.10/hook',
      'http://[::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
      'http://100.64.0.1/hook',
      'ftp://example.com/hook',
      'file:///etc/passwd',
    ];
    for (const url of refused) {
      const error = await createWebhook(strict(), { url, events: ['question.created'] }).catch((e: unknown) => e);
      expect(error, url).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field, url).toBe('url');
    }
    expect(await h.deps.repos.webhooks.all()).toEqual([]);
  });

  it('the same private targets are accepted with WEBHOOKS_ALLOW_PRIVATE_TARGETS (this harness)', async () => {
    const r = await admin.gql(CREATE, { input: { url: 'http://169.254.169.254/latest/meta-data/', events: ['question.created'] } });
    expect(payloadErrors(r.data)).toEqual([]);
  });

  it('refuses a private address at delivery time too, and never follows redirects', async () => {
    const refused = await send(new URL(target), {}, '{}', { allowPrivate: false });
    expect(refused).toMatchObject({ ok: false, status: null });
    expect(refused.error).toMatch(/refused/);
    const byName = await send(new URL(target.replace('127.0.0.1', 'localhost')), {}, '{}', { allowPrivate: false });
    expect(byName.ok).toBe(false);
    expect(byName.error).toMatch(/refused|private/);
    expect(received).toEqual([]);

    replies = [302];
    const redirected = await send(new URL(target), {}, '{}', { allowPrivate: true });
    expect(redirected).toMatchObject({ ok: false, status: 302 });
    expect(redirected.error).toMatch(/redirect/);
    expect(received).toHaveLength(1);
  });

  it('an API refusal is a VALIDATION error naming url', async () => {
    const r = await admin.gql(CREATE, { input: { url: 'gopher://example.com/', events: ['question.created'] } });
    expect(payloadErrors(r.data)).toMatchObject([{ code: 'VALIDATION', field: 'url' }]);
    const bad = await admin.gql(CREATE, { input: { url: target, events: ['question.exploded'] } });
    expect(payloadErrors(bad.data)).toMatchObject([{ code: 'VALIDATION', field: 'events' }]);
    expect(await h.deps.repos.webhooks.all()).toEqual([]);
  });
});

describe('who may manage webhooks', () => {
  const TOKEN = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token ${ERRORS} } }`;
  async function tokenAgent(owner: Member, scopes: string[]): Promise<Agent> {
    const r = await owner.must<{ createApiToken: { token: string } }>(TOKEN, { input: { name: scopes.join(' '), scopes } });
    const agent = h.agent();
    agent.token = r.createApiToken.token;
    return agent;
  }

  it('admins (session, or a token with admin:webhooks) may; everyone else is refused and nothing changes', async () => {
    const staff = await member(h, 'vendor', { role: 'STAFF' });
    const mod = await member(h, 'warden', { role: 'MODERATOR' });
    const { webhook } = await createHook(admin);
    const viewers: Array<[string, Agent, 'FORBIDDEN' | 'UNAUTHENTICATED' | null]> = [
      ['anonymous', h.agent(), 'UNAUTHENTICATED'],
      ['member', alice, 'FORBIDDEN'],
      ['staff', staff, 'FORBIDDEN'],
      ['moderator', mod, 'FORBIDDEN'],
      ['member token with admin:webhooks', await tokenAgent(alice, ['READ', 'ADMIN_WEBHOOKS']), 'FORBIDDEN'],
      ['admin token without admin:webhooks', await tokenAgent(admin, ['READ', 'WRITE', 'MODERATE']), 'FORBIDDEN'],
      ['admin token with admin:webhooks', await tokenAgent(admin, ['READ', 'ADMIN_WEBHOOKS']), null],
      ['admin session', admin, null],
    ];
    for (const [who, agent, refusal] of viewers) {
      const mutations: Array<[string, Record<string, unknown>]> = [
        [CREATE, { input: { url: target, events: ['question.created'] } }],
        [UPDATE, { input: { webhookId: webhook.id, description: `by ${who}` } }],
        [PING, { input: { webhookId: webhook.id } }],
      ];
      for (const [doc, variables] of mutations) {
        const r = await agent.gql(doc, variables);
        const errors = payloadErrors(r.data);
        if (refusal)
          expect(
            errors.map((e) => e.code),
            `${who}: ${doc.slice(0, 30)}`,
          ).toEqual([refusal === 'UNAUTHENTICATED' ? expect.stringMatching(/UNAUTHENTICATED|FORBIDDEN/) : 'FORBIDDEN']);
        else expect(errors, `${who}: ${doc.slice(0, 30)}`).toEqual([]);
      }
      const list = await agent.gql(LIST);
      if (refusal) {
        expect(list.data?.webhooks ?? null, who).toBeNull();
        expect(list.errors?.[0]?.extensions?.code, who).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      } else expect(list.errors, who).toBeUndefined();
      const deliveriesQuery = await agent.gql(DELIVERIES, { id: webhook.id });
      if (refusal) expect(deliveriesQuery.errors?.[0]?.extensions?.code, who).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      else expect(deliveriesQuery.errors, who).toBeUndefined();
    }
    // only the two admin viewers created webhooks; the refused ones changed nothing
    expect(await h.deps.repos.webhooks.all()).toHaveLength(3);
    const denied = await alice.gql(DELETE, { input: { webhookId: webhook.id } });
    expect(payloadErrors(denied.data).map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect(await h.deps.repos.webhooks.findById(rawOf(webhook.id))).not.toBeNull();
  });
});
