// Every consumer of the activity stream, in one list (the composition root of activity.ts): a
// feature that reacts to what happens adds its handler here. The worker runs them for queued
// events; scripts and tests run them inline.
import type { ActivityHandler } from './activity.js';
import { badgesHandler } from '../badge/badge.awards.js';
import { webhooksHandler } from '../webhook/webhook.handler.js';
import { notificationsHandler } from '../notification/notification.handler.js';
import { supportHandler } from '../support/support.handler.js';
import { listeningHandler } from '../listening/listening.service.js';
import { analyticsHandler } from '../analytics/analytics.rollup.js';
import { reviewHandler } from '../review/review.handler.js';

export function activityHandlers(): ActivityHandler[] {
  return [badgesHandler, webhooksHandler, notificationsHandler, supportHandler, reviewHandler, listeningHandler, analyticsHandler];
}
