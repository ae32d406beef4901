// Page-weight budget (prints figures; not a test). Run against a running web server:
//   node scripts/budget.js http://localhost:3000/questions/<id>/<slug> [more URLs…]
// For each page: the HTML (gzip) and the JavaScript the page loads on first visit (every script
// and modulepreload it references, plus their static imports, gzip). Budget: 60 KB gzip each for
// the question page's JS and HTML.
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1024;
const urls = process.argv.slice(2);
if (!urls.length) {
  console.error('usage: node scripts/budget.js <page URL> [more URLs…]');
  process.exit(2);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function get(url) {
  const res = await fetch(url, { headers: { accept: 'text/html', 'accept-encoding': 'identity' } });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return { url: res.url, link: res.headers.get('link') ?? '', body: await res.text() };
}

/**
 * The JavaScript a first visit loads: the modulepreloads (Link header and <link> tags), the
 * entry points the inline bootstrap imports, and their static imports — not the lazy
 * `import()`s of other routes.
 */
async function collectJs(base, html, link) {
  const seen = new Map();
  const queue = [];
  for (const m of link.matchAll(/<([^>]+\.js)>;\s*rel="modulepreload"/g)) queue.push(new URL(m[1], base).href);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) queue.push(new URL(m[1], base).href);
  for (const m of html.matchAll(/<script[^>]+src="([^"]+)"/g)) queue.push(new URL(m[1], base).href);
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const code = m[1] ?? '';
    seen.set(`${base}#inline-script-${seen.size}`, code);
    for (const i of code.matchAll(/import\("([^"]+\.js)"\)/g)) queue.push(new URL(i[1], base).href);
  }
  while (queue.length) {
    const url = queue.shift();
    if (seen.has(url)) continue;
    const { body: code } = await get(url);
    seen.set(url, code);
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+\.js)["']/g)) {
      const next = new URL(m[1], url).href;
      if (!seen.has(next)) queue.push(next);
    }
  }
  return seen;
}

let failed = false;
for (const url of urls) {
  const page = await get(url);
  const html = page.body;
  const htmlGzip = gzipSync(html).length;
  const scripts = await collectJs(page.url, html, page.link);
  let jsRaw = 0;
  let jsGzip = 0;
  const rows = [];
  for (const [src, code] of scripts) {
    const gz = gzipSync(code).length;
    jsRaw += Buffer.byteLength(code);
    jsGzip += gz;
    rows.push([gz, src.replace(/^https?:\/\/[^/]+/, '')]);
  }
  rows.sort((a, b) => b[0] - a[0]);
  console.log(`\n${page.url}`);
  console.log(
    `  HTML        ${kb(Buffer.byteLength(html)).padStart(9)} raw  ${kb(htmlGzip).padStart(9)} gzip  ${htmlGzip <= BUDGET ? 'OK' : 'OVER'} (budget ${kb(BUDGET)})`,
  );
  console.log(
    `  JavaScript  ${kb(jsRaw).padStart(9)} raw  ${kb(jsGzip).padStart(9)} gzip  ${jsGzip <= BUDGET ? 'OK' : 'OVER'} (budget ${kb(BUDGET)}), ${scripts.size} files`,
  );
  for (const [gz, src] of rows.slice(0, 8)) console.log(`    ${kb(gz).padStart(9)}  ${src}`);
  if (htmlGzip > BUDGET || jsGzip > BUDGET) failed = true;
}
console.log(failed ? '\nSome pages are over budget.' : '\nAll pages within budget.');
