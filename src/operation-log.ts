import { randomUUID } from 'node:crypto';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Viewer } from './context.js';
import { isDatabaseUnreachable } from './db/unreachable.js';
import { requestViewer } from './http-auth.js';
import { currentRequestId, withRequestId, type Logger } from './log.js';

/** The header a request id comes in (when a proxy or client sets one) and is answered in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming request id is kept when it looks like one (UUIDs, trace ids); anything else is replaced. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+/-]{1,128}$/;

/** The id of an HTTP request: the client's own when sane, else a new one. */
export function requestIdOf(incoming: string | null | undefined): string {
  const trimmed = incoming?.trim();
  return trimmed && SANE_REQUEST_ID.test(trimmed) ? trimmed : randomUUID();
}

/** What one GraphQL operation's line says, gathered over its phases. */
type Operation = {
  requestId: string;
  transport: 'http' | 'websocket';
  start: number;
  name: string | null;
  type: string | null;
  viewer: Viewer | undefined;
  codes: Set<string>;
  /** Results sent (subscriptions: one per event). */
  results: number;
  logged: boolean;
};

/** The initial context an operation's hooks share (envelop extends the same object through every phase). */
type OperationContext = { request?: Request; params?: { operationName?: string | null }; viewer?: Viewer };

const viewerOf = (context: OperationContext): Viewer | undefined => context.viewer ?? (context.request ? requestViewer(context.request) : undefined);

/** The code an error is answered with, as the client sees it once masked (see maskError in app.ts). */
function errorCode(error: Error, fallback: string): string {
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string') return code;
    return error.originalError ? errorCode(error.originalError, 'INTERNAL_SERVER_ERROR') : fallback;
  }
  return isDatabaseUnreachable(error) ? 'SERVICE_UNAVAILABLE' : fallback;
}

/**
 * One `info` line per GraphQL operation, over HTTP and WebSocket alike: operation name and type,
 * duration in ms, result (`ok`, or `error` with the error codes), the caller's key id (never the
 * key) and the request id. A subscription's line is written when it ends, with the events it sent.
 * Over HTTP the request id is the `x-request-id` the request came with (when sane) or a new one,
 * answered in the same header; every line logged while the request runs carries it. A WebSocket
 * operation gets an id of its own.
 *
 * Put it first among the operation plugins: a later plugin that refuses an operation before it
 * executes (query limits) would otherwise end it before this one sees it.
 */
export function operationLog(log: Logger): Plugin {
  const requestIds = new WeakMap<Request, string>();
  const operations = new WeakMap<object, Operation>();

  const idOf = (request: Request) => {
    let id = requestIds.get(request);
    if (!id) requestIds.set(request, (id = requestIdOf(request.headers.get(REQUEST_ID_HEADER))));
    return id;
  };

  const operationOf = (context: OperationContext): Operation => {
    let op = operations.get(context);
    if (!op) {
      op = {
        requestId: context.request ? idOf(context.request) : (currentRequestId() ?? randomUUID()),
        transport: context.request ? 'http' : 'websocket',
        start: performance.now(),
        name: null,
        type: null,
        viewer: undefined,
        codes: new Set(),
        results: 0,
        logged: false,
      };
      operations.set(context, op);
    }
    return op;
  };

  const describe = (op: Operation, context: OperationContext, document: DocumentNode, operationName: string | null | undefined) => {
    const ast = getOperationAST(document, operationName ?? undefined);
    op.type = ast?.operation ?? null;
    op.name = ast?.name?.value ?? operationName ?? null;
    op.viewer = viewerOf(context);
  };

  const addErrors = (op: Operation, errors: readonly Error[] | undefined, fallback: string) => {
    for (const error of errors ?? []) op.codes.add(errorCode(error, fallback));
  };

  const write = (op: Operation) => {
    if (op.logged) return;
    op.logged = true;
    const viewer = op.viewer;
    log.info('graphql operation', {
      requestId: op.requestId,
      transport: op.transport,
      operation: op.name,
      type: op.type,
      durationMs: Math.round((performance.now() - op.start) * 10) / 10,
      result: op.codes.size ? 'error' : 'ok',
      ...(op.codes.size ? { errors: [...op.codes] } : {}),
      ...(op.type === 'subscription' ? { events: op.results } : {}),
      keyId: viewer ? (viewer.keyId ?? viewer.actor) : null,
    });
  };

  /** The operation as execute or subscribe sees it (its name and type are known from here on). */
  const started = (args: { contextValue: unknown; document: DocumentNode; operationName?: string | null }) => {
    const context = args.contextValue as OperationContext;
    const op = operationOf(context);
    describe(op, context, args.document, args.operationName);
    return op;
  };

  /**
   * A single result ends the operation; a stream (a subscription's events, incremental delivery)
   * ends it when it ends, counting its results.
   */
  const outcome = (op: Operation, result: ExecutionResult | AsyncIterable<ExecutionResult>) => {
    if (!isAsyncIterable(result)) {
      addErrors(op, result.errors, 'BAD_USER_INPUT');
      write(op);
      return;
    }
    const onNext = ({ result: part }: { result: ExecutionResult }) => {
      op.results++;
      addErrors(op, part.errors, 'BAD_USER_INPUT');
    };
    return { onNext, onEnd: () => write(op) };
  };

  const inScope = <T>(context: OperationContext, wrapped: () => T): T =>
    currentRequestId() ? wrapped() : withRequestId(operationOf(context).requestId, wrapped);

  return {
    instrumentation: {
      // Every line an HTTP request logs carries its id (auth warnings, resolver errors included).
      request: ({ request }, wrapped) => withRequestId(idOf(request), wrapped),
      // WebSocket operations have no request around them: their own id, while they execute.
      execute: ({ context }, wrapped) => inScope(context, wrapped),
      subscribe: ({ context }, wrapped) => inScope(context, wrapped),
    },
    onResponse({ request, response }) {
      const id = requestIds.get(request);
      if (id) response.headers.set(REQUEST_ID_HEADER, id);
    },
    onParse({ context }) {
      const op = operationOf(context);
      return ({ result }) => {
        if (!(result instanceof Error)) return;
        const ctx = context as OperationContext;
        op.codes.add(errorCode(result, 'GRAPHQL_PARSE_FAILED'));
        op.name = ctx.params?.operationName ?? null;
        op.viewer = viewerOf(ctx);
        write(op);
      };
    },
    onValidate({ context, params }) {
      return ({ valid, result }) => {
        if (valid) return;
        const op = operationOf(context);
        describe(op, context, params.documentAST, (context as OperationContext).params?.operationName);
        addErrors(op, result, 'GRAPHQL_VALIDATION_FAILED');
        write(op);
      };
    },
    onExecute({ args }) {
      const op = started(args);
      return { onExecuteDone: ({ result }) => outcome(op, result) };
    },
    onSubscribe({ args }) {
      const op = started(args);
      return {
        onSubscribeResult: ({ result }) => outcome(op, result),
        onSubscribeError({ error }) {
          op.codes.add(error instanceof Error ? errorCode(error, 'INTERNAL_SERVER_ERROR') : 'INTERNAL_SERVER_ERROR');
          write(op);
        },
      };
    },
  };
}
