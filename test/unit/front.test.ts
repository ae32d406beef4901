// The web front's origin must be adapter-node's, or its page keys would never meet the ones the
// SvelteKit side stores (web/src/lib/server/front.ts).
import { describe, expect, it } from 'vitest';
import { originOf } from '../../web/src/lib/server/front.js';

describe('the web front', () => {
  it('takes the origin from ORIGIN when it is set', () => {
    expect(originOf({ ORIGIN: 'http://127.0.0.1:3000/' }, { host: 'evil.example' })).toBe('http://127.0.0.1:3000');
    expect(originOf({ ORIGIN: 'not a url' }, { host: 'x' })).toBeNull();
  });

  it('else from the protocol, host and port headers, https by default, as adapter-node does', () => {
    expect(originOf({}, { host: 'forum.example' })).toBe('https://forum.example');
    const env = { PROTOCOL_HEADER: 'x-forwarded-proto', HOST_HEADER: 'x-forwarded-host', PORT_HEADER: 'x-forwarded-port' };
    expect(
      originOf(env, {
        host: 'internal:3000',
        'x-forwarded-proto': 'http',
        'x-forwarded-host': 'forum.example',
        'x-forwarded-port': '8080',
      }),
    ).toBe('http://forum.example:8080');
    expect(originOf(env, { host: 'internal:3000', 'x-forwarded-proto': 'http:evil' })).toBeNull();
    expect(originOf({}, {})).toBeNull();
  });
});
