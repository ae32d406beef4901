// A service context for scripts and jobs (no HTTP request): acts as the given member.
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AppDeps, Context, Role } from '../../context.js';

export function scriptContext(deps: AppDeps, actor: { id: string; handle: string; role: Role } | null): Context {
  const requestId = `script-${randomUUID()}`;
  const req = { ip: '127.0.0.1', get: () => undefined, secure: false } as unknown as Request;
  const res = { cookie: () => undefined, clearCookie: () => undefined } as unknown as Response;
  return {
    requestId,
    viewer: actor ? { ...actor, via: 'session', scopes: ['read', 'write'] } : null,
    deps,
    log: deps.log.child({ reqId: requestId }),
    req,
    res,
    cache: new Map(),
  };
}
