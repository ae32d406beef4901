import type { AppDeps, AppServices } from '../context.js';

/** The process's long-lived services, from a request context or the deps. */
export function servicesOf(ctx: { deps: AppDeps }): AppServices {
  return ctx.deps.services;
}
