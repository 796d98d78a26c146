import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Limits on hostile queries, the same over HTTP and WebSocket. */
export const QUERY_LIMITS = {
  /** Tokens in one document (graphql-js stops parsing past it). */
  maxTokens: 4_000,
  /** Nesting of selection sets, fragments expanded. */
  maxDepth: 12,
  /** Field aliases in one document (each alias can multiply the work). */
  maxAliases: 30,
} as const;

function depthOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    // Introspection (GraphiQL, code generators) nests ofType deeply but is bounded by the schema.
    if (sel.kind === Kind.FIELD && sel.name.value.startsWith('__')) max = Math.max(max, 1);
    else if (sel.kind === Kind.FIELD) max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    else if (!seen.has(sel.name.value)) {
      const fragment = fragments[sel.name.value];
      max = Math.max(max, depthOf(fragment?.selectionSet, fragments, new Set([...seen, sel.name.value])));
    }
  }
  return max;
}

function limitRule(context: ValidationContext): ASTVisitor {
  const doc = context.getDocument();
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
  let aliases = 0;
  return {
    Field(node) {
      if (node.alias && ++aliases === QUERY_LIMITS.maxAliases + 1) {
        context.reportError(new GraphQLError(`too many aliases: at most ${QUERY_LIMITS.maxAliases} per document`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
      }
    },
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, fragments, new Set());
      if (depth > QUERY_LIMITS.maxDepth) {
        context.reportError(
          new GraphQLError(`query is nested ${depth} levels deep; at most ${QUERY_LIMITS.maxDepth} are allowed`, {
            nodes: [node],
            extensions: { code: 'QUERY_TOO_COMPLEX' },
          }),
        );
      }
    },
  };
}

export function hardeningPlugins(): Plugin[] {
  return [
    {
      onParse({ setParseFn, parseFn }) {
        setParseFn((source, options) => parseFn(source, { ...options, maxTokens: QUERY_LIMITS.maxTokens }));
      },
      onValidate({ addValidationRule }) {
        addValidationRule(limitRule);
      },
    },
  ];
}
