// The one Pothos builder. It defines no types: feature modules register their own.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Context } from '../context.js';
import { AppError, ForbiddenError, UnauthenticatedError } from '../lib/errors.js';
import { missingScopeMessage, SESSION_ONLY_MESSAGE, viewerHasScope, type FineScope } from '../lib/scopes.js';

/**
 * Coarse scopes declared on fields (`authScopes`); the fine rules are the modules' pure policies,
 * which the services enforce and `viewerCan*` fields expose. Add a scope here when a field uses it.
 */
export interface AuthScopes {
  loggedIn: boolean;
  /** API tokens need this scope (lib/scopes.ts); sessions and anonymous visitors pass (their role decides) */
  tokenScope: FineScope;
  /** refused to API tokens (profile, settings, tokens themselves) */
  sessionOnly: boolean;
}

interface ScopeFailure {
  kind: string;
  scope?: string;
  parameter?: unknown;
  failures?: ScopeFailure[];
}

/** The first token-scope failure in scope-auth's failure tree, if any. */
function tokenFailure(failure: ScopeFailure): ScopeFailure | null {
  if (failure.scope === 'tokenScope' || failure.scope === 'sessionOnly') return failure;
  for (const f of failure.failures ?? []) {
    const found = tokenFailure(f);
    if (found) return found;
  }
  return null;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, DataloaderPlugin, RelayPlugin],
  defaultFieldNullability: false,
  defaultInputFieldRequiredness: true,
  scopeAuth: {
    authScopes: (ctx) => ({
      loggedIn: ctx.viewer !== null,
      tokenScope: (scope) => ctx.viewer?.via !== 'token' || viewerHasScope(ctx.viewer, scope),
      sessionOnly: ctx.viewer?.via !== 'token',
    }),
    unauthorizedError: (_parent, context, _info, result) => {
      const failure = tokenFailure(result.failure as ScopeFailure);
      if (failure?.scope === 'tokenScope') return new ForbiddenError(missingScopeMessage(failure.parameter as FineScope));
      if (failure?.scope === 'sessionOnly') return new ForbiddenError(SESSION_ONLY_MESSAGE);
      return context.viewer === null ? new UnauthenticatedError() : new ForbiddenError();
    },
  },
  errors: { defaultTypes: [] },
  relay: {
    clientMutationId: 'optional',
    cursorType: 'String',
    nodesOnConnection: true,
  },
});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    nullable: true,
    description: 'Total number of items (where cheap to count)',
    resolve: async (parent) => {
      const total = (parent as { totalCount?: number | (() => Promise<number>) }).totalCount;
      if (total === undefined) return null;
      return typeof total === 'function' ? total() : total;
    },
  }),
);

/** A mutation refused by scope-auth answers like any refused mutation: its payload's `errors`. */
const refusedPayload = (_parent: unknown, _args: unknown, _ctx: unknown, _info: unknown, error: Error) =>
  ({ errors: [{ code: error instanceof AppError ? error.code : 'FORBIDDEN', message: error.message }] }) as never;

/**
 * Field options of a mutation an API token may call only with `scope` (spread into the field's
 * options; `also`: more scopes the field needs, all of them). Every Mutation field declares
 * `needsScope(…)` or `sessionOnly` (test/integration/api-scopes.test.ts walks the schema).
 */
export const needsScope = (scope: FineScope, also?: Omit<Partial<AuthScopes>, 'tokenScope'>) => ({
  authScopes: also ? { $all: { ...also, tokenScope: scope } } : { tokenScope: scope },
  unauthorizedResolver: refusedPayload,
});

/** Field options of a mutation API tokens may not call at all (profile, settings, tokens). */
export const sessionOnly = { authScopes: { sessionOnly: true }, unauthorizedResolver: refusedPayload };
