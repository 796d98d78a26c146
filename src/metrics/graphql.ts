import { createCounter, createHistogram, usePrometheus, type FillLabelsFnParams } from '@envelop/prometheus';
import { getOperationAST, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { Gauge, type Registry } from 'prom-client';

/**
 * Distinct operation names kept as label values; later names count as `(other)`. Clients choose
 * names, so without a cap any key holder could grow the registry without bound.
 */
export const MAX_OPERATION_NAMES = 200;

/** Seconds: GraphQL operations from a millisecond to the statement timeout (10 s) and beyond. */
const OPERATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

type OperationContext = { request?: unknown; params?: { operationName?: string | null } };

/** What an error without a code of its own counts as, by phase. */
const PHASE_CODES: Record<string, string> = { parse: 'GRAPHQL_PARSE_FAILED', validate: 'GRAPHQL_VALIDATION_FAILED' };

/** The error code a client sees (extensions.code); an unexpected error is INTERNAL_SERVER_ERROR. */
function codeOf(error: unknown, fallback: string): string {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string') return code;
    return error.originalError ? codeOf(error.originalError, 'INTERNAL_SERVER_ERROR') : fallback;
  }
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * GraphQL operations over HTTP and WebSocket alike (the plugins run in both envelops): counted by
 * name, type and transport, with their duration and their errors by phase and code
 * (`@envelop/prometheus`), and subscriptions open now by operation.
 */
export function graphqlMetrics(registry: Registry): Plugin[] {
  const names = new Set<string>();
  const nameLabel = (name: string | undefined): string => {
    if (!name || name === 'Anonymous') return 'Anonymous';
    if (names.has(name)) return name;
    if (names.size >= MAX_OPERATION_NAMES) return '(other)';
    names.add(name);
    return name;
  };
  const describe = (params: FillLabelsFnParams, context: OperationContext) => {
    const requested = context?.params?.operationName ?? undefined;
    const ast = params.document ? getOperationAST(params.document, requested) : null;
    return {
      operation: nameLabel(ast?.name?.value ?? requested ?? params.operationName),
      type: ast?.operation ?? params.operationType ?? 'unknown',
      transport: context?.request ? 'http' : 'websocket',
    };
  };

  const operationLabels = ['operation', 'type', 'transport'] as const;
  const subscriptions = new Gauge({
    name: 'inventory_graphql_subscriptions_open',
    help: 'Subscriptions streaming now, by operation name and transport (websocket, or http for server-sent events).',
    labelNames: ['operation', 'transport'] as const,
    registers: [registry],
  });

  const prometheus = usePrometheus({
    registry,
    metrics: {
      graphql_envelop_request: createCounter({
        registry,
        counter: {
          name: 'inventory_graphql_operations_total',
          help: 'GraphQL operations executed (subscriptions when they end), by operation name, type and transport.',
          labelNames: operationLabels,
        },
        fillLabelsFn: (params, context) => describe(params, context),
      }),
      graphql_envelop_request_duration: createHistogram({
        registry,
        histogram: {
          name: 'inventory_graphql_operation_duration_seconds',
          help: 'Duration of GraphQL operations (execution; subscriptions from start to end), by operation name, type and transport.',
          labelNames: operationLabels,
          buckets: OPERATION_BUCKETS,
        },
        fillLabelsFn: (params, context) => describe(params, context),
      }),
      graphql_envelop_error_result: createCounter({
        registry,
        counter: {
          name: 'inventory_graphql_errors_total',
          help: 'Errors of GraphQL operations, by operation name, type, transport, phase (parse, validate, context, execute, subscribe) and error code.',
          labelNames: [...operationLabels, 'phase', 'code'] as const,
        },
        fillLabelsFn: (params, context) => {
          const phase = params.errorPhase ?? 'execute';
          const fallback = PHASE_CODES[phase] ?? 'INTERNAL_SERVER_ERROR';
          return { ...describe(params, context), phase, code: params.error ? codeOf(params.error, fallback) : fallback };
        },
      }),
    },
  });

  const openSubscriptions: Plugin = {
    onSubscribe({ args }) {
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return;
          const context = args.contextValue as OperationContext;
          const ast = getOperationAST(args.document, args.operationName ?? undefined);
          const labels = { operation: nameLabel(ast?.name?.value), transport: context?.request ? 'http' : 'websocket' };
          subscriptions.inc(labels);
          return { onEnd: () => subscriptions.dec(labels) };
        },
      };
    },
  };
  return [prometheus as Plugin, openSubscriptions];
}
