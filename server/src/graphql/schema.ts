// Imports every feature module (each registers its own types and fields), then builds the schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import '../modules/system/system.graphql.js';
import '../modules/system/ratelimit.graphql.js';
import '../modules/user/user.graphql.js';
import '../modules/post/post.graphql.js';
import '../modules/post/post.mutations.graphql.js';
import '../modules/post/post.stats.graphql.js';
import '../modules/space/space.graphql.js';
import '../modules/tag/tag.graphql.js';
import '../modules/comment/comment.graphql.js';
import '../modules/vote/vote.graphql.js';
import '../modules/reputation/reputation.graphql.js';
import '../modules/search/search.graphql.js';

export const schema = lexicographicSortSchema(builder.toSchema());
