import type { AppDeps, AppServices } from '../context.js';
import type { Repositories } from './repositories.js';

/** The process's long-lived services, from a request context or the deps. */
export function servicesOf(ctx: { deps: AppDeps }): AppServices {
  return ctx.deps.services;
}

/** The repositories, from a request context or the deps. */
export function reposOf(ctx: { deps: AppDeps } | AppDeps): Repositories {
  return 'deps' in ctx ? ctx.deps.repos : ctx.repos;
}
