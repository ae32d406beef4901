import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationCost } from './cost.js';
import { schema } from './schema.js';

const price = (query: string, variables: Record<string, unknown> = {}, operationName?: string) =>
  operationCost(schema, parse(query), variables, operationName);

describe('operationCost (GitHub-style points)', () => {
  it('charges at least one point, even for a query of no connection', () => {
    expect(price('{ ping viewer { handle } }')).toEqual({ cost: 1, nodeCount: 0, problems: [] });
    expect(price('{ __schema { types { name } } }')).toMatchObject({ cost: 1, nodeCount: 0 });
  });

  it('counts a connection as its first/last, else its default page size', () => {
    expect(price('{ questions(first: 100) { nodes { id } } }')).toMatchObject({ cost: 1, nodeCount: 100 });
    expect(price('{ questions(last: 7) { edges { node { id } } } }')).toMatchObject({ cost: 1, nodeCount: 7 });
    expect(price('{ questions { nodes { id } } }')).toMatchObject({ nodeCount: 20 });
    expect(price('{ tags { nodes { name } } }')).toMatchObject({ nodeCount: 50 });
  });

  it("multiplies nested connections by their parents' pages and sums the document", () => {
    // 100 questions, 10 answers each, 5 comments per answer: 100 + 1000 + 5000 nodes
    const q = '{ questions(first: 100) { nodes { answers(first: 10) { nodes { comments(first: 5) { nodes { id } } } } } } }';
    expect(price(q)).toEqual({ cost: 61, nodeCount: 6100, problems: [] });
    // a sibling connection adds: 6100 + 30 (Question.answers' default page: 30 answers of one question)
    const sibling = '{ question(id: "x") { answers { nodes { id } } } }';
    expect(price(sibling)).toMatchObject({ cost: 1, nodeCount: 30 });
    expect(price(`{ a: ${q.slice(2, -2)} b: ${sibling.slice(2, -2)} }`)).toMatchObject({ cost: 62, nodeCount: 6130 });
  });

  it('reads variables and their defaults; clamps pages to 100 (larger ones are refused by the field)', () => {
    const q = 'query Q($n: Int = 40, $m: Int) { questions(first: $n) { nodes { answers(first: $m) { nodes { id } } } } }';
    expect(price(q)).toMatchObject({ nodeCount: 40 + 40 * 30 });
    expect(price(q, { n: 10, m: 2 })).toMatchObject({ nodeCount: 10 + 20 });
    expect(price('{ questions(first: 5000) { nodes { id } } }')).toMatchObject({ nodeCount: 100 });
  });

  it('counts aliases and every use of a fragment, and prices the named operation only', () => {
    const doc = `
      query A { ...Qs x: questions(first: 3) { nodes { id } } }
      query B { ping }
      fragment Qs on Query { questions(first: 50) { nodes { ...Ans } } }
      fragment Ans on Question { answers(first: 4) { nodes { id } } }`;
    expect(price(doc, {}, 'A')).toMatchObject({ nodeCount: 50 + 200 + 3, cost: 3 });
    expect(price(doc, {}, 'B')).toMatchObject({ nodeCount: 0, cost: 1 });
  });

  it('prices fragment fan-out in linear time', () => {
    const levels = 30;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on Query { ping }`
        : `fragment F${i} on Query { ...F${i + 1} a${i}: questions(first: 1) { nodes { id } } }`,
    );
    const started = performance.now();
    expect(price(`{ ...F0 } ${fragments.join(' ')}`)).toMatchObject({ nodeCount: levels - 1 });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('counts one node per id of nodes(ids:) and flags more than 100', () => {
    const ids = Array.from({ length: 101 }, (_, i) => `id${i}`);
    expect(price('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: ids.slice(0, 100) })).toMatchObject({
      nodeCount: 100,
      problems: [],
    });
    const over = price('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(over.nodeCount).toBe(101);
    expect(over.problems).toEqual([{ message: 'nodes(ids:) takes at most 100 ids; got 101.', path: ['nodes'] }]);
  });

  it('counts lists that take first (search, experts) as pages too', () => {
    expect(price('{ search(query: "x") { totalCount } }')).toMatchObject({ nodeCount: 20 });
    expect(price('{ experts(tag: "x", first: 3) { __typename } }')).toMatchObject({ nodeCount: 3 });
  });
});
