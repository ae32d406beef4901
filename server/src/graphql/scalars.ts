import { GraphQLError } from 'graphql';
import { builder } from './builder.js';

export const DateTimeScalar = builder.scalarType('DateTime', {
  description: 'An ISO 8601 timestamp in UTC, e.g. "2026-11-28T20:38:00.000Z".',
  serialize: (value) => {
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(value)) {
      throw new GraphQLError('DateTime must be an ISO 8601 string');
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be a valid date');
    return date;
  },
});
