// SSRF defence for webhook targets: only http(s) URLs whose every address is public. Checked when a
// webhook is created or updated, and again at each delivery through a DNS `lookup` that refuses
// private answers (a name may resolve elsewhere later: DNS rebinding).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fe80::', 10], // link-local
  ['fc00::', 7], // unique local
  ['ff00::', 8], // multicast
  ['100::', 64], // discard-only
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Expands an IPv6 address to its 8 groups (numbers); null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase().replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // a trailing dotted IPv4 part (::ffff:1.2.3.4)
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, -dotted[1]!.length)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(fill, 0)).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16));
}

/** The IPv4 address an IPv6 address carries (IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible, NAT64 64:ff9b::), or null. */
function embeddedIPv4(groups: number[]): string | null {
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const mapped = zeros(0, 5) && groups[5] === 0xffff;
  const compatible = zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1);
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !compatible && !nat64) return null;
  const [hi, lo] = [groups[6]!, groups[7]!];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** True for an address a webhook must not reach: loopback, private, link-local, CGNAT, multicast… */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  if (family === 4) return blocked.check(address, 'ipv4');
  const groups = ipv6Groups(address);
  if (!groups) return true; // not an address we understand: refuse
  const v4 = embeddedIPv4(groups);
  if (v4) return blocked.check(v4, 'ipv4');
  const normal = groups.map((g) => g.toString(16)).join(':');
  return blocked.check(normal, 'ipv6');
}

export class UnsafeTargetError extends Error {}

/** The URL a webhook may use: http or https, no credentials; throws UnsafeTargetError with the reason. */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeTargetError('must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UnsafeTargetError('must use http:// or https://');
  if (url.username || url.password) throw new UnsafeTargetError('must not carry a user name or password');
  if (!url.hostname) throw new UnsafeTargetError('must name a host');
  return url;
}

/** The bare host of a URL (IPv6 without brackets). */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

type Resolve = (host: string) => Promise<string[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (error, addresses: LookupAddress[]) =>
      error ? reject(error) : resolve(addresses.map((a) => a.address)),
    ),
  );

/**
 * Checks that a target is allowed: the URL's shape, then (unless `allowPrivate`) that the host, or
 * every address its name resolves to, is public. Throws UnsafeTargetError naming the problem.
 */
export async function assertSafeTarget(raw: string, options: { allowPrivate: boolean; resolve?: Resolve }): Promise<URL> {
  const url = parseTargetUrl(raw);
  if (options.allowPrivate) return url;
  const host = hostOf(url);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw new UnsafeTargetError(`points to a private, loopback or link-local address (${host})`);
    return url;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) throw new UnsafeTargetError('points to localhost');
  let addresses: string[];
  try {
    addresses = await (options.resolve ?? systemResolve)(host);
  } catch {
    throw new UnsafeTargetError(`host "${host}" could not be resolved`);
  }
  if (addresses.length === 0) throw new UnsafeTargetError(`host "${host}" could not be resolved`);
  const bad = addresses.find((a) => isPrivateAddress(a));
  if (bad) throw new UnsafeTargetError(`resolves to a private, loopback or link-local address (${bad})`);
  return url;
}

/**
 * A `lookup` for http.request that resolves like the system's and refuses private answers: the
 * connection is made only to the address checked (no second resolution to rebind).
 */
export function safeLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true, verbatim: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (!usable.length) {
        const refused = Object.assign(new Error(`refused: ${hostname} resolves to a private address`), { code: 'EWEBHOOKPRIVATE' });
        return callback(refused, '', 0);
      }
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      return callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
}
