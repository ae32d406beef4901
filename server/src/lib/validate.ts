import type { z } from 'zod';
import { ValidationError } from './errors.js';

/** Parses a service contract; every failure becomes a ValidationError naming the field(s). */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      path: ['input', ...issue.path.map(String)],
      message: issue.message,
    })),
  );
}
