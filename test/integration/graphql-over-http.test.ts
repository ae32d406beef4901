// The GraphQL-over-HTTP spec (graphql-http's server audits) against createApp over HTTP: every
// MUST and SHOULD holds, with the request hardening (body limit, Armor's limits, cost and
// budgets) and the error masking in place. MAY audits are listed, not required.
import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  for (const audit of serverAudits({ url: () => `${h.url}/graphql` })) {
    const required = audit.name.startsWith('MUST') || audit.name.startsWith('SHOULD');
    it(`${audit.id} ${audit.name}`, async () => {
      const result = await audit.fn();
      if (required) expect(result.status === 'ok' ? 'ok' : `${result.status}: ${'reason' in result ? result.reason : ''}`).toBe('ok');
    });
  }
});
