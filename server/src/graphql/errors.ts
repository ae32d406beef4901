// GraphQL side of the typed errors: `interface Error { message code }`, one object type per
// code, and helpers that turn thrown AppErrors into payload data.
import { GraphQLError } from 'graphql';
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

/**
 * `extensions.code`s of request errors: the request is refused as a whole, before anything runs
 * (they never appear in a payload's `errors`, hence not in the ErrorCode enum). The codes of the
 * enum above keep their meaning there too (`VALIDATION` for `nodes(ids:)` beyond 100 ids,
 * `RATE_LIMITED` past a budget, `UNAUTHENTICATED` for a bad token).
 */
export const REQUEST_ERROR_CODES = [
  'BAD_REQUEST', // not a GraphQL-over-HTTP request (e.g. invalid JSON)
  'PAYLOAD_TOO_LARGE', // body over GRAPHQL_MAX_BODY_BYTES: HTTP 413
  'GRAPHQL_PARSE_FAILED', // syntax error
  'GRAPHQL_VALIDATION_FAILED', // the document does not fit the schema
  'BAD_USER_INPUT', // a variable's value does not fit its type
  'TOKEN_LIMIT',
  'DEPTH_LIMIT',
  'ALIAS_LIMIT',
  'DIRECTIVE_LIMIT',
  'COST_LIMIT',
] as const;
export type RequestErrorCode = (typeof REQUEST_ERROR_CODES)[number];

/** The refusals of our own limits: HTTP 4xx whatever media type the client accepts. */
export const LIMIT_CODES: ReadonlySet<string> = new Set([
  'PAYLOAD_TOO_LARGE',
  'TOKEN_LIMIT',
  'DEPTH_LIMIT',
  'ALIAS_LIMIT',
  'DIRECTIVE_LIMIT',
  'COST_LIMIT',
]);

/**
 * A request error. `spec: true` marks the errors the GraphQL-over-HTTP spec covers (parse,
 * validation, variable coercion): 400 with `application/graphql-response+json`, 200 with legacy
 * `application/json` (as the spec requires). The others keep their status whatever is accepted.
 */
export function requestError(
  code: RequestErrorCode | ErrorCode,
  message: string,
  options: { status?: number; spec?: boolean; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
): GraphQLError {
  // spec: false explicitly, or yoga's validation hook would mark it a spec error
  const http = { status: options.status ?? 400, spec: options.spec ?? false, ...(options.headers ? { headers: options.headers } : {}) };
  return new GraphQLError(message, { extensions: { code, ...options.extensions, http } });
}
