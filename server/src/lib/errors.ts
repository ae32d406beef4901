// Typed application errors with stable codes. Services throw these; the GraphQL layer turns
// them into data (mutation payload errors) or GraphQL errors with `extensions.code`.

export const ERROR_CODES = ['VALIDATION', 'NOT_FOUND', 'FORBIDDEN', 'UNAUTHENTICATED', 'RATE_LIMITED', 'CONFLICT'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
}

export interface FieldProblem {
  /** input path, e.g. ["input", "title"] */
  path: string[];
  message: string;
}

export class ValidationError extends AppError {
  readonly code = 'VALIDATION' as const;
  readonly problems: FieldProblem[];
  constructor(problems: FieldProblem[] | string, field?: string) {
    const list = typeof problems === 'string' ? [{ path: field ? ['input', field] : ['input'], message: problems }] : problems;
    super(list.map((p) => `${p.path.slice(1).join('.') || 'input'}: ${p.message}`).join('; '));
    this.problems = list;
  }
  /** the first offending field (without the leading "input") */
  get field(): string | null {
    return this.problems[0]?.path.slice(1).join('.') || null;
  }
}

export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND' as const;
  constructor(what = 'The requested item') {
    super(`${what} was not found.`);
  }
}

export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN' as const;
  constructor(message = 'You are not allowed to do that.') {
    super(message);
  }
}

export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED' as const;
  constructor(message = 'You need to sign in to do that.') {
    super(message);
  }
}

export class RateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED' as const;
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; retry in ${retryAfterSeconds} s.`);
  }
}

export class ConflictError extends AppError {
  readonly code = 'CONFLICT' as const;
}
