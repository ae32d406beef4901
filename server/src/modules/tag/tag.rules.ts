/** Tag names: lowercase letters, digits and . + # -, at most 35 characters. */
export const TAG_NAME = /^[a-z0-9.+#-]{1,35}$/;

/** One tag name normalised (trimmed, lower-cased, whitespace runs joined by `-`); see lib/tag-name.ts. */
export { normalizeTagName as normalizeTag } from '../../lib/tag-name.js';
