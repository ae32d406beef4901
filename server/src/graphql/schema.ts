// Imports every feature module (each registers its own types and fields), then builds the schema.
import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import '../modules/system/system.graphql.js';

export const schema = lexicographicSortSchema(builder.toSchema());
