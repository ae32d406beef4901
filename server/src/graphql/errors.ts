// GraphQL side of the typed errors: `interface Error { message code }`, one object type per
// code, and helpers that turn thrown AppErrors into payload data.
import { ERROR_CODES, AppError, ValidationError as ValidationAppError, type ErrorCode } from '../lib/errors.js';
import { builder } from './builder.js';

export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description: 'Stable machine-readable error codes.',
  values: ERROR_CODES,
});

export interface ErrorShape {
  code: ErrorCode;
  message: string;
  path?: string[] | null;
  field?: string | null;
  retryAfterSeconds?: number | null;
}

export const ErrorInterface = builder.interfaceRef<ErrorShape>('Error').implement({
  description: 'An expected failure, returned as data.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.field({ type: ErrorCodeEnum, resolve: (e) => e.code }),
  }),
  resolveType: (e) => ERROR_TYPE_NAMES[e.code],
});

const ERROR_TYPE_NAMES: Record<ErrorCode, string> = {
  VALIDATION: 'ValidationError',
  NOT_FOUND: 'NotFoundError',
  FORBIDDEN: 'ForbiddenError',
  UNAUTHENTICATED: 'UnauthenticatedError',
  RATE_LIMITED: 'RateLimitedError',
  CONFLICT: 'ConflictError',
};

builder.objectRef<ErrorShape>('ValidationError').implement({
  description: 'The input was invalid. `path` and `field` name the offending input field.',
  interfaces: [ErrorInterface],
  isTypeOf: (e) => (e as ErrorShape).code === 'VALIDATION',
  fields: (t) => ({
    path: t.stringList({ resolve: (e) => e.path ?? ['input'] }),
    field: t.string({ nullable: true, resolve: (e) => e.field ?? null }),
  }),
});

builder.objectRef<ErrorShape>('RateLimitedError').implement({
  interfaces: [ErrorInterface],
  isTypeOf: (e) => (e as ErrorShape).code === 'RATE_LIMITED',
  fields: (t) => ({
    retryAfterSeconds: t.int({ resolve: (e) => e.retryAfterSeconds ?? 60 }),
  }),
});

for (const code of ['NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'CONFLICT'] as const) {
  builder.objectRef<ErrorShape>(ERROR_TYPE_NAMES[code]).implement({
    interfaces: [ErrorInterface],
    isTypeOf: (e) => (e as ErrorShape).code === code,
    fields: () => ({}),
  });
}

/** Converts an expected error into payload data (one entry per offending field). */
export function toErrorShapes(error: AppError): ErrorShape[] {
  if (error instanceof ValidationAppError) {
    return error.problems.map((p) => ({
      code: 'VALIDATION',
      message: p.message,
      path: p.path,
      field: p.path.slice(1).join('.') || null,
    }));
  }
  const shape: ErrorShape = { code: error.code, message: error.message };
  if ('retryAfterSeconds' in error) shape.retryAfterSeconds = Number(error.retryAfterSeconds);
  return [shape];
}

/**
 * Runs a mutation's service call: expected failures (AppError) become `{ errors }` data,
 * anything else propagates (and is masked by yoga).
 */
export async function asPayload<T extends object>(run: () => Promise<T>): Promise<T & { errors: ErrorShape[] }> {
  try {
    const result = await run();
    return { ...result, errors: [] };
  } catch (error) {
    if (error instanceof AppError) return { errors: toErrorShapes(error) } as unknown as T & { errors: ErrorShape[] };
    throw error;
  }
}
