// The cost of a GraphQL operation, computed from its document and variables before it runs, in
// the manner of GitHub's GraphQL API (docs/api.md "Cost and budgets"):
//   - a paged field (a connection, or any other field taking `first`/`last`) may return as many nodes
//     as it asks for (`first` or `last`, else the field's default page size), for each of the
//     items its enclosing paged fields may return: its nodes = its page × its parents' pages;
//   - `nodes(ids:)` returns one node per id;
//   - nodeCount = the sum over the document (aliases and fragments count every time they are
//     used; `@skip`/`@include` are ignored: the count is an upper bound);
//   - cost (points) = nodeCount / 100, rounded up, at least 1.
// Pure: schema, document and variables in, numbers out (unit-tested in cost.test.ts).
import {
  Kind,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** `first`/`last` above this are refused by the fields themselves: a page never counts more. */
export const MAX_PAGE_SIZE = 100;
/** The most ids `nodes(ids:)` takes. */
export const MAX_NODE_IDS = 100;
/** Nodes per point. */
export const NODES_PER_POINT = 100;

/**
 * The page sizes fields use when asked for neither `first` nor `last` (their resolvers'
 * `pageWindow(args, size)`), by schema coordinate, then by field name; else DEFAULT_PAGE_SIZE.
 */
export const DEFAULT_PAGE_SIZES: Readonly<Record<string, number>> = {
  'Question.answers': 30,
  'User.reputationEvents': 30,
  'Query.spaces': 50,
  'Query.tags': 50,
  comments: 100,
  revisions: 50,
};
export const DEFAULT_PAGE_SIZE = 20;

export interface CostProblem {
  message: string;
  /** the response path of the offending field, e.g. ["nodes"] */
  path: string[];
}

export interface CostAnalysis {
  /** points this operation costs (at least 1) */
  cost: number;
  /** the most nodes it may return */
  nodeCount: number;
  /** list arguments beyond their limit (`nodes(ids:)` with more than MAX_NODE_IDS ids) */
  problems: CostProblem[];
}

type Variables = Readonly<Record<string, unknown>>;

function isListOutput(type: GraphQLType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function fieldsOf(type: GraphQLNamedType | undefined | null) {
  return type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields() : undefined;
}

/** The value of a field's argument (a literal, a variable, or the argument's default). */
function argumentValue(node: FieldNode, field: GraphQLField<unknown, unknown>, name: string, variables: Variables): unknown {
  const arg = node.arguments?.find((a) => a.name.value === name);
  if (arg) return valueFromASTUntyped(arg.value as ValueNode, variables as Record<string, unknown>);
  return field.args.find((a) => a.name === name)?.defaultValue;
}

function pageSize(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(value)));
}

/** The variables with the operation's defaults filled in. */
function withDefaults(document: DocumentNode, operationName: string | null | undefined, variables: Variables): Variables {
  const operation = getOperationAST(document, operationName);
  const merged: Record<string, unknown> = { ...variables };
  for (const definition of operation?.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (merged[name] === undefined && definition.defaultValue) merged[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return merged;
}

/**
 * How many items one use of this field may return for each of its parent's items: a page size
 * for a paged field, the number of ids for `nodes(ids:)`, undefined for any other field.
 */
function itemsPerParent(
  parent: GraphQLNamedType,
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Variables,
  problems: CostProblem[],
  path: string[],
): number | undefined {
  if (field.args.some((a) => a.name === 'ids') && isListOutput(field.type)) {
    const ids = argumentValue(node, field, 'ids', variables);
    const count = Array.isArray(ids) ? ids.length : ids == null ? 0 : 1;
    if (count > MAX_NODE_IDS) problems.push({ message: `${field.name}(ids:) takes at most ${MAX_NODE_IDS} ids; got ${count}.`, path });
    return count;
  }
  if (!field.args.some((a) => a.name === 'first' || a.name === 'last')) return undefined;
  const asked = pageSize(argumentValue(node, field, 'first', variables)) ?? pageSize(argumentValue(node, field, 'last', variables));
  return asked ?? DEFAULT_PAGE_SIZES[`${parent.name}.${field.name}`] ?? DEFAULT_PAGE_SIZES[field.name] ?? DEFAULT_PAGE_SIZE;
}

/** The cost of one operation of `document` (the one named `operationName`, or its only one). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Variables | null | undefined = {},
  operationName?: string | null,
): CostAnalysis {
  const operation = getOperationAST(document, operationName);
  const root = operation ? schema.getRootType(operation.operation) : undefined;
  if (!operation || !root) return { cost: 1, nodeCount: 0, problems: [] };
  const vars = withDefaults(document, operationName, variables ?? {});
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const problems: CostProblem[] = [];
  // a fragment's nodes per use (the count is linear in the multiplier): each is walked once,
  // so a document that spreads fragments into fragments costs no exponential time to price
  const perFragment = new Map<string, number>();

  const walk = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, path: string[]): number => {
    let nodes = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = fieldsOf(parent)?.[selection.name.value];
        if (!field || !parent) continue; // introspection and unknown fields (validation refuses them)
        const at = [...path, selection.alias?.value ?? selection.name.value];
        const items = itemsPerParent(parent, field, selection, vars, problems, at);
        const below = selection.selectionSet ? walk(selection.selectionSet, getNamedType(field.type), at) : 0;
        nodes += items === undefined ? below : items + items * below;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        nodes += walk(selection.selectionSet, type ?? undefined, path);
      } else {
        const name = selection.name.value;
        if (!perFragment.has(name)) {
          perFragment.set(name, 0); // a cycle (refused by validation) counts nothing
          const fragment = fragments.get(name);
          const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
          perFragment.set(name, fragment ? walk(fragment.selectionSet, type ?? undefined, path) : 0);
        }
        nodes += perFragment.get(name)!;
      }
    }
    return nodes;
  };

  const nodeCount = walk(operation.selectionSet, root, []);
  return { cost: Math.max(1, Math.ceil(nodeCount / NODES_PER_POINT)), nodeCount, problems };
}
