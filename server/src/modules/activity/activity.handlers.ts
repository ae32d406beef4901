// Every consumer of the activity stream, in one list (the composition root of activity.ts): a
// feature that reacts to what happens adds its handler here. The worker runs them for queued
// events; scripts and tests run them inline.
import type { ActivityHandler } from './activity.js';

export function activityHandlers(): ActivityHandler[] {
  return [];
}
