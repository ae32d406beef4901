import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

/** Per-request values every log line carries (request id), set by the HTTP layer. */
export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

export function createLogger(level: string, name = 'api'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // every line logged while a request is being served names its request id
    mixin: () => {
      const scope = requestScope.getStore();
      return scope ? { reqId: scope.requestId } : {};
    },
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'password', '*.password'], censor: '[redacted]' },
  });
}

export type { Logger };
