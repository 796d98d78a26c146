import type { GraphQLError, ExecutionArgs, ExecutionResult, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../config.js';
import { apiError } from '../domain/error-codes.js';
import { createRequestCheck } from './request-limits.js';
import { hideSuggestions } from './suggestions.js';
import { databaseScopePlugin } from './database-scope.js';

export type { QueryLimits };

/** The default limits (each one a setting, see README "Limits"). */
export const QUERY_LIMITS: QueryLimits = DEFAULT_QUERY_LIMITS;

export function tooComplex(message: string): GraphQLError {
  return apiError('QUERY_TOO_COMPLEX', message);
}

/** graphql-armor reports a rejection as a "Syntax Error: …"; ours carry a code instead. */
function reportTo(context: ValidationContext | null, error: GraphQLError) {
  const refused = tooComplex(error.message.replace(/^Syntax Error: /, ''));
  if (!context) throw refused;
  context.reportError(refused);
}

/**
 * The limits on hostile documents, the same over HTTP and WebSocket (both run through
 * yoga's envelop). Each is linear in the document size: graphql-armor's rules walk every
 * fragment once (its depth is memoised), the cost is computed with
 * `@pothos/plugin-complexity`, memoised per selection set, and the argument check visits
 * the operation and each fragment it uses once.
 *
 * - parse: at most `maxTokens` tokens (graphql-armor max-tokens stops the lexer there);
 * - validation: depth (introspection exempt, fragments flattened), aliases, directives; no
 *   "Did you mean" suggestions in any error;
 * - before execution (these depend on variables, so their outcome is remembered per
 *   document and variables, `createRequestCheck`): every string and list argument within its
 *   maximum and free of NUL bytes, then the cost of the operation within `maxCost`;
 * - query statements run with the database statement timeout and are cancelled when the
 *   client goes away (`databaseScopePlugin`).
 */
/** Answers an operation whose arguments or cost are beyond the limits with their errors; true when it did. */
function refuseBeyondLimits(args: ExecutionArgs, checkRequest: (args: ExecutionArgs) => GraphQLError[], stop: (result: ExecutionResult) => void): boolean {
  const errors = checkRequest(args);
  if (errors.length) stop({ errors });
  return errors.length > 0;
}

/** Removes "Did you mean" from the errors of a finished operation (or of one subscription event). */
function withoutSuggestions({ result, setResult }: { result: ExecutionResult | AsyncIterable<unknown>; setResult(result: ExecutionResult): void }): void {
  if ('errors' in result && result.errors?.length) setResult({ ...result, errors: result.errors.map(hideSuggestions) });
}

export function hardeningPlugins(limits: QueryLimits = DEFAULT_QUERY_LIMITS): Plugin[] {
  const onReject = [reportTo];
  const checkRequest = createRequestCheck(limits);
  return [
    maxTokensPlugin({ n: limits.maxTokens, onReject: [(_ctx, error) => reportTo(null, error)] }) as Plugin,
    {
      onValidate({ addValidationRule }) {
        addValidationRule(maxDepthRule({ n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, propagateOnRejection: false, onReject }));
        addValidationRule(maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject }));
        addValidationRule(maxDirectivesRule({ n: limits.maxDirectives, propagateOnRejection: false, onReject }));
      },
    },
    blockFieldSuggestionsPlugin({ mask: '' }) as Plugin,
    {
      onValidate() {
        // graphql-armor masks `Did you mean "x"?`; graphql-js also says `Did you mean the enum value "X"?`.
        return ({ valid, result, setResult }) => {
          if (!valid) setResult(result.map(hideSuggestions));
        };
      },
      onExecute({ args, setResultAndStopExecution }) {
        if (refuseBeyondLimits(args, checkRequest, setResultAndStopExecution)) return;
        return { onExecuteDone: withoutSuggestions };
      },
      onSubscribe({ args, setResultAndStopExecution }) {
        if (refuseBeyondLimits(args, checkRequest, setResultAndStopExecution)) return;
        return { onSubscribeResult: withoutSuggestions };
      },
    },
    databaseScopePlugin(),
  ];
}
