// The signed-in member, loaded once per request by hooks.server.ts.
import { graphql, type ResultOf } from '$lib/graphql/graphql';
import { gql, type ApiEvent } from './api';

export const ViewerQuery = graphql(`
  query Viewer {
    viewer {
      id
      handle
      displayName
      role
      reputation
      ignoredTags
    }
  }
`);

export type Viewer = NonNullable<ResultOf<typeof ViewerQuery>['viewer']>;

export async function loadViewer(event: ApiEvent): Promise<Viewer | null> {
  const data = await gql(event, ViewerQuery);
  return data.viewer ?? null;
}
