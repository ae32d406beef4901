// The baseline servers (node:http and Express 5 serving the saved responses of the measured pages
// and of the GraphQL question query, each by its method and path), each in its own child process
// on a free port; and the manifest of saved responses they serve.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../lib/paths.js';

export interface BaselineServer {
  kind: 'http' | 'express';
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** One saved response: what a baseline answers to `method` `path` (the path with its query). */
export interface SavedResponse {
  method: 'GET' | 'POST';
  path: string;
  status: number;
  contentType: string;
  body: Buffer;
}

export interface ManifestEntry {
  method: string;
  path: string;
  status: number;
  contentType: string;
  /** the body's file, next to the manifest */
  file: string;
}

/** The path (and query) of a URL as a client sends it: the key the baselines serve it under. */
export function requestPath(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

/** The manifest of saved responses; throws when two share a method and path (a baseline serves one). */
export function manifestOf(saved: ReadonlyArray<Omit<SavedResponse, 'body'>>): ManifestEntry[] {
  const seen = new Set<string>();
  return saved.map((r, i) => {
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) throw new Error(`two saved responses for ${key}: a baseline serves one response per method and path`);
    seen.add(key);
    return { method: r.method, path: r.path, status: r.status, contentType: r.contentType, file: `response-${i}.bin` };
  });
}

/** Writes the responses and their manifest into `dir` (emptied first); returns the manifest's file. */
export function saveResponses(dir: string, saved: readonly SavedResponse[]): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entries = manifestOf(saved);
  entries.forEach((e, i) => writeFileSync(join(dir, e.file), saved[i]!.body));
  const file = join(dir, 'manifest.json');
  writeFileSync(file, `${JSON.stringify({ entries }, null, 2)}\n`);
  return file;
}

export async function startBaseline(kind: 'http' | 'express', manifestFile: string): Promise<BaselineServer> {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/bench/baseline-server.mjs'), kind, manifestFile], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the ${kind} baseline did not start within 10 s`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the ${kind} baseline exited with code ${code}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    for (let i = 0; i < 50 && child.exitCode === null && child.signalCode === null; i++) await sleep(100);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return { kind, url: `http://127.0.0.1:${port}`, pid: child.pid!, child, stop };
}
