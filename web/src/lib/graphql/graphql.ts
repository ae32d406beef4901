// The typed `graphql()` tag. Result and variable types are inferred from schema/schema.graphql
// through the introspection types that `npm run codegen` (gql.tada generate output) writes to
// ./graphql-env.d.ts — never write response types by hand: use ResultOf / VariablesOf.
import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.d.ts';

export const graphql = initGraphQLTada<{
  introspection: introspection;
  scalars: {
    DateTime: string;
  };
}>();

export type { FragmentOf, ResultOf, VariablesOf, TadaDocumentNode } from 'gql.tada';
export { readFragment } from 'gql.tada';
