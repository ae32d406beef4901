// The baseline servers (node:http and Express 5 serving a saved question page), each in its own
// child process on a free port.
import { spawn, type ChildProcess } from 'node:child_process';
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

export async function startBaseline(kind: 'http' | 'express', file: string): Promise<BaselineServer> {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts/bench/baseline-server.mjs'), kind, file], {
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
