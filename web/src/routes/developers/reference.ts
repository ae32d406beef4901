// The /developers pages' facts, read from the sources (./sources.ts) at server start so that the
// pages cannot drift from them: the schema reference from schema/schema.graphql (graphql's
// buildSchema), the webhook events from the activity stream's ACTIVITY_TYPES, the cost model's
// constants from server/src/graphql/cost.ts. Pure: source text in, data out
// (test/unit/developers-reference.test.ts checks it against the server's own values).
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
} from 'graphql';

export interface ArgDoc {
  name: string;
  /** the type as written, e.g. `[String!]!` */
  type: string;
  /** the named type inside it (for the link) */
  typeName: string;
  description: string | null;
  defaultValue: string | null;
}

export interface FieldDoc extends ArgDoc {
  args: ArgDoc[];
  deprecated: string | null;
}

export interface TypeDoc {
  name: string;
  kind: 'object' | 'interface' | 'input' | 'enum' | 'union' | 'scalar';
  description: string | null;
  fields: FieldDoc[];
  values: Array<{ name: string; description: string | null; deprecated: string | null }>;
  /** interfaces it implements, or the members of a union, or the implementations of an interface */
  related: string[];
}

export interface SchemaReference {
  queries: FieldDoc[];
  mutations: FieldDoc[];
  types: TypeDoc[];
}

const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function argDoc(a: GraphQLArgument | GraphQLInputField): ArgDoc {
  return {
    name: a.name,
    type: String(a.type),
    typeName: getNamedType(a.type).name,
    description: a.description ?? null,
    defaultValue: a.defaultValue === undefined ? null : JSON.stringify(a.defaultValue),
  };
}

function fieldDoc(f: GraphQLField<unknown, unknown>): FieldDoc {
  return {
    name: f.name,
    type: String(f.type),
    typeName: getNamedType(f.type).name,
    description: f.description ?? null,
    defaultValue: null,
    args: f.args.map(argDoc),
    deprecated: f.deprecationReason ?? null,
  };
}

function typeDoc(t: GraphQLNamedType, implementations: Map<string, string[]>): TypeDoc {
  const base = { name: t.name, description: t.description ?? null, fields: [], values: [], related: [] };
  if (isObjectType(t)) {
    return { ...base, kind: 'object', fields: Object.values(t.getFields()).map(fieldDoc), related: t.getInterfaces().map((i) => i.name) };
  }
  if (isInterfaceType(t)) {
    return { ...base, kind: 'interface', fields: Object.values(t.getFields()).map(fieldDoc), related: implementations.get(t.name) ?? [] };
  }
  if (isInputObjectType(t)) {
    return {
      ...base,
      kind: 'input',
      fields: Object.values(t.getFields()).map((f) => ({ ...argDoc(f), args: [], deprecated: f.deprecationReason ?? null })),
    };
  }
  if (isEnumType(t)) {
    return {
      ...base,
      kind: 'enum',
      values: t.getValues().map((v) => ({ name: v.name, description: v.description ?? null, deprecated: v.deprecationReason ?? null })),
    };
  }
  if (isUnionType(t)) return { ...base, kind: 'union', related: t.getTypes().map((m) => m.name) };
  return { ...base, kind: 'scalar' };
}

/** The schema reference: root fields and every named type (sorted), with descriptions. */
export function schemaReference(sdl: string): SchemaReference {
  const schema = buildSchema(sdl);
  const implementations = new Map<string, string[]>();
  for (const t of Object.values(schema.getTypeMap())) {
    if (!isObjectType(t)) continue;
    for (const i of t.getInterfaces()) implementations.set(i.name, [...(implementations.get(i.name) ?? []), t.name]);
  }
  const roots = new Set([schema.getQueryType()?.name, schema.getMutationType()?.name, schema.getSubscriptionType()?.name]);
  const types = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__') && !(isScalarType(t) && BUILT_IN.has(t.name)) && !roots.has(t.name))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => typeDoc(t, implementations));
  const sorted = (fields: FieldDoc[]) => [...fields].sort((a, b) => a.name.localeCompare(b.name));
  return {
    queries: sorted(Object.values(schema.getQueryType()?.getFields() ?? {}).map(fieldDoc)),
    mutations: sorted(Object.values(schema.getMutationType()?.getFields() ?? {}).map(fieldDoc)),
    types,
  };
}

/** The string literals of `export const NAME = [ … ]` in a TypeScript source. */
function constList(source: string, name: string): string[] {
  const body = new RegExp(`export const ${name} = \\[([\\s\\S]*?)\\]`).exec(source)?.[1] ?? '';
  return [...body.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

function constNumber(source: string, name: string, fallback: number): number {
  const value = new RegExp(`export const ${name} = ([\\d_]+);`).exec(source)?.[1];
  return value ? Number(value.replaceAll('_', '')) : fallback;
}

/** The activity stream's event types: what webhooks can subscribe to. */
export function webhookEvents(source: string): string[] {
  return constList(source, 'ACTIVITY_TYPES');
}

export interface CostModel {
  nodesPerPoint: number;
  maxPageSize: number;
  maxNodeIds: number;
  defaultPageSize: number;
  /** schema coordinate or field name → default page size */
  defaultPageSizes: Array<{ field: string; size: number }>;
}

/** The constants of the cost model (server/src/graphql/cost.ts). */
export function costModel(source: string): CostModel {
  const sizes = /export const DEFAULT_PAGE_SIZES[^=]*= \{([\s\S]*?)\};/.exec(source)?.[1] ?? '';
  return {
    nodesPerPoint: constNumber(source, 'NODES_PER_POINT', 100),
    maxPageSize: constNumber(source, 'MAX_PAGE_SIZE', 100),
    maxNodeIds: constNumber(source, 'MAX_NODE_IDS', 100),
    defaultPageSize: constNumber(source, 'DEFAULT_PAGE_SIZE', 20),
    defaultPageSizes: [...sizes.matchAll(/'?([\w.]+)'?: (\d+)/g)].map((m) => ({ field: m[1]!, size: Number(m[2]) })),
  };
}
