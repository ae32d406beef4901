import { graphql } from '$lib/graphql/graphql';
import { apiFailure, gql } from '$lib/server/api';
import type { PageServerLoad } from './$types';

const HomeQuery = graphql(`
  query Home {
    ping
  }
`);

export const load: PageServerLoad = async (event) => {
  try {
    const data = await gql(event, HomeQuery);
    return { ping: data.ping };
  } catch (err) {
    apiFailure(err);
  }
};
