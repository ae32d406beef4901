import type { PageServerLoad } from './$types';
import { schemaReference } from '../reference';
import { schemaSource } from '../sources';

// built once per process from schema/schema.graphql
const reference = schemaReference(schemaSource);

export const load: PageServerLoad = () => ({ reference });
