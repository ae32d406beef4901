// Parses `Set-Cookie` header values (RFC 6265 §5.2) so cookies the api sets can be re-issued to
// the browser through SvelteKit's `cookies` API (which keeps them visible to later calls made
// during the same request).
export interface ParsedSetCookie {
  name: string;
  /** The raw (still encoded) cookie value. */
  value: string;
  path?: string;
  domain?: string;
  maxAge?: number;
  expires?: Date;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: 'lax' | 'strict' | 'none';
}

export function parseSetCookie(header: string): ParsedSetCookie | null {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  let value = pair.slice(eq + 1).trim();
  if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
  if (!name) return null;

  const cookie: ParsedSetCookie = { name, value, httpOnly: false, secure: false };
  for (const attribute of attributes) {
    const i = attribute.indexOf('=');
    const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
    const val = i === -1 ? '' : attribute.slice(i + 1).trim();
    switch (key) {
      case 'path':
        if (val.startsWith('/')) cookie.path = val;
        break;
      case 'domain':
        if (val) cookie.domain = val.replace(/^\./, '');
        break;
      case 'max-age': {
        const seconds = Number(val);
        if (/^-?\d+$/.test(val) && Number.isFinite(seconds)) cookie.maxAge = seconds;
        break;
      }
      case 'expires': {
        const date = new Date(val);
        if (!Number.isNaN(date.getTime())) cookie.expires = date;
        break;
      }
      case 'httponly':
        cookie.httpOnly = true;
        break;
      case 'secure':
        cookie.secure = true;
        break;
      case 'samesite': {
        const v = val.toLowerCase();
        if (v === 'lax' || v === 'strict' || v === 'none') cookie.sameSite = v;
        break;
      }
    }
  }
  return cookie;
}
