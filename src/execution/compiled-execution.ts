import { type DocumentNode, type ExecutionResult, GraphQLError, Kind, visit } from 'graphql';
import { isPromise } from 'node:util/types';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';

/**
 * A document runs compiled from this execution on (the first is 1): a document sent once (a
 * one-off, or a flood of distinct ones) never pays for a compilation, and one sent again (a
 * screen's page, a poll) is compiled once for all its later runs. The compiled form is kept
 * beside the parsed document, which yoga's parse cache bounds.
 */
export const COMPILE_FROM_EXECUTION = 2;

/**
 * graphql-jit 0.8.9 writes a field's literal arguments into the code it compiles, and marks
 * Dates there with this prefix, turning `"<prefix>…"` back into `new Date(…)` with the rest
 * of the string as code. A document with a string that holds the prefix is therefore never
 * compiled: it runs on graphql-js. No value of this API holds it.
 */
const JIT_MARKER = '__MAGIC_';

type Compiled = { executions: number; query: CompiledQuery | null | undefined };

/**
 * Queries and mutations run compiled by graphql-jit (a quarter less CPU per resources page
 * than graphql-js, and less garbage): the same schema and resolvers, and the same parse,
 * validation, limits, statement scope and error masking around them, as only the execution
 * step is replaced. Subscriptions keep graphql-js, because their events are shared by the
 * subscription multiplexer. A document is compiled when it holds one operation, has run
 * before (`COMPILE_FROM_EXECUTION`) and holds no string graphql-jit would take for code;
 * a document graphql-jit cannot compile runs on graphql-js.
 *
 * graphql-jit builds a new `info.path` for each resolver call; Pothos' Prisma plugin finds
 * what a parent loaded by those objects, so the schema's resolvers get stable ones (`wrapResolvers`).
 *
 * Registered before the plugins that wrap execution (the statement scope), so they wrap the
 * compiled executor too.
 */
export function compiledExecutionPlugin(options: { fromExecution?: number } = {}): Plugin {
  const fromExecution = options.fromExecution ?? COMPILE_FROM_EXECUTION;
  const documents = new WeakMap<DocumentNode, Compiled>();
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      let entry = documents.get(args.document);
      if (!entry) {
        entry = { executions: 0, query: isCompilable(args.document) ? undefined : null };
        documents.set(args.document, entry);
      }
      if (entry.query === null || ++entry.executions < fromExecution) return;
      const compiled = entry;
      // Compiled when it runs: an operation the limits refuse never reaches the compiler.
      setExecuteFn((run) => {
        if (compiled.query === undefined) {
          const query = compileQuery(run.schema, run.document, run.operationName ?? undefined);
          compiled.query = isCompiledQuery(query) ? query : null;
        }
        if (!compiled.query) return executeFn(run);
        const result = compiled.query.query(run.rootValue, run.contextValue, run.variableValues ?? {});
        return (isPromise(result) ? result.then((r) => withLocatedErrors(r, run.document)) : withLocatedErrors(result, run.document)) as ReturnType<
          typeof executeFn
        >;
      });
    },
  };
}

/**
 * graphql-jit gives a field's error its locations as lines and columns only, and yoga rebuilds
 * every error from its source positions, which would drop them: each such error becomes the
 * GraphQLError graphql-js gives, located in the document's source, with the same path,
 * extensions and original error.
 */
function withLocatedErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.some((e) => !e.nodes && e.locations?.length)) return result;
  return { ...result, errors: result.errors.map((e) => (!e.nodes && e.locations?.length ? located(e, document) : e)) };
}

function located(error: GraphQLError, document: DocumentNode): GraphQLError {
  const source = document.loc?.source;
  if (!source) return error;
  const lineStarts = [0];
  for (let i = source.body.indexOf('\n'); i !== -1; i = source.body.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const positions = (error.locations ?? []).map(({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1);
  return new GraphQLError(error.message, {
    source,
    positions,
    path: error.path,
    originalError: error.originalError ?? undefined,
    extensions: error.extensions,
  });
}

/** One query or mutation, and no string holding graphql-jit's marker. */
export function isCompilable(document: DocumentNode): boolean {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0]!.operation === 'subscription') return false;
  let safe = true;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(JIT_MARKER)) safe = false;
    },
  });
  return safe;
}
