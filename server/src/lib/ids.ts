// Identifiers: database ids (ObjectId) and the API's opaque global ids.
import { Types } from 'mongoose';
import { ValidationError } from './errors.js';

/** An ObjectId from its hex form (null when it is not one). */
export function toObjectId(id: string | Types.ObjectId): Types.ObjectId | null {
  if (id instanceof Types.ObjectId) return id;
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/** Decodes a global id of one of the given types; a wrong type or garbage is a VALIDATION error on `field`. */
export function rawId(globalId: string | number, types: string[], field: string): string {
  const id = String(globalId);
  let decoded = '';
  try {
    decoded = Buffer.from(id, 'base64').toString('utf8');
  } catch {
    decoded = '';
  }
  const i = decoded.indexOf(':');
  const type = decoded.slice(0, i);
  const raw = decoded.slice(i + 1);
  if (i > 0 && types.includes(type) && raw) return raw;
  throw new ValidationError(`is not the id of a ${types.join(' or ').toLowerCase()}`, field);
}
