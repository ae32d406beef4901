import { builder } from '../../graphql/builder.js';

builder.queryType({
  description: 'The root of all reads. API tokens need the `read` scope for every field.',
  authScopes: { tokenScope: 'read' },
});

builder.mutationType({
  description: 'The root of all writes. Every mutation takes one `input` and returns a payload.',
});

builder.queryField('ping', (t) =>
  t.string({
    description: 'Liveness of the GraphQL layer: always "pong". Handy as a baseline in benchmarks.',
    resolve: () => 'pong',
  }),
);
