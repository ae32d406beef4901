/** Time source of the services; tests replace it to move across days. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** UTC day key, e.g. "2026-11-28" (the daily reputation cap counts per UTC day). */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
