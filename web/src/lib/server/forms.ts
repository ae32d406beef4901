import { fail } from '@sveltejs/kit';
// Helpers for form actions: reading FormData and turning mutation payload `errors` into
// per-field messages (shown next to the field) and form-level messages.

/** The shape shared by every payload error (`interface Error` plus ValidationError's fields). */
export interface PayloadError {
  message: string;
  code: string;
  field?: string | null;
  path?: readonly string[] | null;
}

export interface FormErrors {
  /** field name (first path segment after `input`) → message */
  fields: Record<string, string>;
  /** errors that name no field */
  form: string[];
}

/** The field a payload error names: `field` ("tags.0" → "tags") or the path after "input". */
function fieldOf(error: PayloadError): string | null {
  const raw = error.field || (error.path && error.path[0] === 'input' ? error.path.slice(1).join('.') : '') || '';
  const first = raw.split('.')[0];
  return first ? first : null;
}

/** "must be at least 15 characters" → "Must be at least 15 characters." */
function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  const capital = text[0]!.toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export function toFormErrors(errors: readonly PayloadError[], knownFields: readonly string[] = []): FormErrors {
  const result: FormErrors = { fields: {}, form: [] };
  for (const error of errors) {
    const field = fieldOf(error);
    if (field && (knownFields.length === 0 || knownFields.includes(field))) {
      result.fields[field] ??= sentence(error.message);
    } else {
      result.form.push(sentence(error.message));
    }
  }
  return result;
}

export function text(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
}

export function trimmed(data: FormData, name: string): string {
  return text(data, name).trim();
}

/** A safe local redirect target ("/questions/1" yes; "//evil.example" or "https://…" no). */
export function safeRedirect(target: string | null | undefined, fallback = '/'): string {
  if (!target || !target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  return target;
}

/**
 * A failed form action: the submitted values (to refill the form) and the errors, always in the
 * same shape so pages can read `form?.errors.fields.x` whatever branch failed.
 */
export function invalid<V extends Record<string, unknown>>(
  status: number,
  values: V,
  errors: { fields?: Record<string, string>; form?: string[] } | string,
) {
  const shaped: FormErrors =
    typeof errors === 'string' ? { fields: {}, form: [errors] } : { fields: errors.fields ?? {}, form: errors.form ?? [] };
  return fail(status, { values, errors: shaped });
}

/** `invalid()` with loosely typed values (for pages whose actions share one result shape). */
export function invalidForm(status: number, values: Record<string, string>, errors: Parameters<typeof invalid>[2]) {
  return invalid(status, values, errors);
}
