// The one Pothos builder. It defines no types: feature modules register their own.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Context } from '../context.js';
import { ForbiddenError, UnauthenticatedError } from '../lib/errors.js';

/**
 * Coarse scopes declared on fields (`authScopes`); the fine rules are the modules' pure policies,
 * which the services enforce and `viewerCan*` fields expose. Add a scope here when a field uses it.
 */
export interface AuthScopes {
  loggedIn: boolean;
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
    authScopes: (ctx) => ({ loggedIn: ctx.viewer !== null }),
    unauthorizedError: (_parent, context) => (context.viewer === null ? new UnauthenticatedError() : new ForbiddenError()),
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
