// Request hardening with GraphQL Armor's plugins: limits on a document's tokens (while parsing:
// a huge document is never parsed whole), depth, aliases and directives (validation rules, so
// nothing runs), and no "Did you mean …?" field suggestions unless configured (off in
// production: they reveal the schema). Each refusal is a request error with a stable
// `extensions.code` (graphql/errors.ts) and HTTP 400, whatever media type the client accepts.
// The cost of an operation (which needs its variables) is checked later, in cost.plugin.ts.
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { validate, type GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLLimits } from '../config.js';
import { requestError, type RequestErrorCode } from './errors.js';

/** Armor's messages start with "Syntax Error: " even for validation limits: ours do not. */
const plain = (error: GraphQLError) => error.message.replace(/^Syntax Error: /, '');

/** A validation rule of Armor's whose refusal is reported (not thrown) with our code. */
function limitRule(
  make: (options: {
    n: number;
    propagateOnRejection: boolean;
    onReject: Array<(ctx: ValidationContext | null, error: GraphQLError) => void>;
  }) => ValidationRule,
  n: number,
  code: RequestErrorCode,
): ValidationRule {
  return make({
    n,
    propagateOnRejection: false,
    onReject: [(ctx, error) => ctx?.reportError(requestError(code, plain(error), { extensions: { limit: n } }))],
  });
}

/** The hardening plugins for these limits (parse, then validation). */
export function armorPlugins(limits: GraphQLLimits): Plugin[] {
  const rules = [
    limitRule(maxDepthRule as never, limits.maxDepth, 'DEPTH_LIMIT'),
    limitRule(maxAliasesRule as never, limits.maxAliases, 'ALIAS_LIMIT'),
    limitRule(maxDirectivesRule as never, limits.maxDirectives, 'DIRECTIVE_LIMIT'),
  ];
  const plugins: Plugin[] = [
    maxTokensPlugin({
      n: limits.maxTokens,
      // thrown from the lexer: parsing stops at the first token over the limit
      onReject: [
        (_ctx, error) => {
          throw requestError('TOKEN_LIMIT', plain(error), { extensions: { limit: limits.maxTokens } });
        },
      ],
    }) as Plugin,
    {
      // graphql-js parses recursively: brackets nested a few thousand deep (well within the token
      // limit) overflow the stack; that is the client's document, not a server fault
      onParse({ parseFn, setParseFn }) {
        setParseFn((source, options) => {
          try {
            return parseFn(source, options);
          } catch (error) {
            if (error instanceof RangeError) throw requestError('DEPTH_LIMIT', 'The document nests too deeply to be parsed.');
            throw error;
          }
        });
      },
      // the limits first, on their own: a document over one is refused without the full
      // validation, some of whose rules are quadratic in the fields (500 aliases of one field)
      onValidate({ params, setResult }) {
        const refused = validate(params.schema, params.documentAST, rules);
        if (refused.length) setResult(refused);
      },
    },
  ];
  if (!limits.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin({ mask: '' }) as Plugin);
  return plugins;
}
