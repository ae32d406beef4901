/** Tag names: lowercase letters, digits and . + # -, at most 35 characters. */
export const TAG_NAME = /^[a-z0-9.+#-]{1,35}$/;

export function normalizeTag(raw: string): string {
  return raw.trim().toLowerCase().replace(/\s+/g, '-');
}
