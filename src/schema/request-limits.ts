import {
  GraphQLError,
  Kind,
  TypeInfo,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { createComplexityRule } from '@pothos/plugin-complexity';
import type { QueryLimits } from '../config.js';
import { apiError, hasCode } from '../domain/error-codes.js';
import { hideSuggestions } from './suggestions.js';

/**
 * What an argument or input field may declare in its `extensions` to differ from the
 * defaults (QUERY_MAX_STRING_LENGTH, QUERY_MAX_LIST_ITEMS): e.g. the invoice CSV's size.
 */
export type InputLimitExtensions = {
  /** Most characters in the string (or in each string of the list). */
  maxLength?: number;
  /** Most items in the list. */
  maxItems?: number;
};

/** At most this many input errors are reported for one request. */
const MAX_REPORTED = 5;

function badInput(path: string, message: string): GraphQLError {
  return apiError('BAD_USER_INPUT', `${path}: ${message}`, { extensions: { argument: path } });
}

type Declared = { extensions?: Readonly<Record<string, unknown>> | null };

function declaredLimits(owner: Declared): InputLimitExtensions {
  return (owner.extensions ?? {}) as InputLimitExtensions;
}

/**
 * Walks one coerced argument value against its type: strings within their maximum and free
 * of NUL bytes (PostgreSQL text cannot hold them), lists within theirs, input objects field
 * by field (each field may declare its own maximum).
 */
function checkValue(value: unknown, type: GraphQLInputType, declared: InputLimitExtensions, limits: QueryLimits, path: string, errors: GraphQLError[]) {
  if (value == null || errors.length >= MAX_REPORTED) return;
  if (isNonNullType(type)) return checkValue(value, type.ofType, declared, limits, path, errors);
  if (isListType(type)) {
    if (!Array.isArray(value)) return checkValue(value, type.ofType, declared, limits, path, errors);
    const max = declared.maxItems ?? limits.maxListItems;
    if (value.length > max) {
      errors.push(badInput(path, `at most ${max} items are allowed, got ${value.length}`));
      return;
    }
    for (let i = 0; i < value.length && errors.length < MAX_REPORTED; i++) checkValue(value[i], type.ofType, declared, limits, `${path}[${i}]`, errors);
    return;
  }
  if (isInputObjectType(type)) {
    const fields = type.getFields();
    for (const name of Object.keys(value as object)) {
      const field = fields[name];
      if (field) checkValue((value as Record<string, unknown>)[name], field.type, declaredLimits(field), limits, `${path}.${name}`, errors);
    }
    return;
  }
  if (isEnumType(type) || typeof value !== 'string') return;
  const max = declared.maxLength ?? limits.maxStringLength;
  if (value.length > max) errors.push(badInput(path, `at most ${max} characters are allowed, got ${value.length}`));
  else if (value.includes('\u0000')) errors.push(badInput(path, 'NUL characters (\\u0000) are not allowed'));
}

/** The operation's fragments, each once, however often it is spread. */
function usedFragments(document: DocumentNode, operation: OperationDefinitionNode): FragmentDefinitionNode[] {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) byName.set(def.name.value, def);
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: (OperationDefinitionNode | FragmentDefinitionNode)[] = [operation];
  while (pending.length) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const fragment = byName.get(node.name.value);
        if (fragment && !used.has(node.name.value)) {
          used.set(node.name.value, fragment);
          pending.push(fragment);
        }
      },
    });
  }
  return [...used.values()];
}

/**
 * Every string and list argument of the operation (literals and variables alike, coerced
 * as execution will see them) within its maximum. Variables that do not coerce are
 * reported here, as execution would report them.
 */
export function checkInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  limits: QueryLimits,
): GraphQLError[] {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: MAX_REPORTED });
  if (coerced.errors) return [...coerced.errors];
  const errors: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  for (const definition of [operation, ...usedFragments(document, operation)]) {
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const field = typeInfo.getFieldDef();
          if (!field || !node.arguments?.length || errors.length >= MAX_REPORTED) return;
          let values: Record<string, unknown>;
          try {
            values = getArgumentValues(field, node, coerced.coerced);
          } catch {
            return; // invalid here: execution reports it
          }
          for (const arg of field.args) {
            if (arg.name in values)
              checkValue(values[arg.name], arg.type, declaredLimits(arg), limits, `${node.alias?.value ?? node.name.value}.${arg.name}`, errors);
          }
        },
      }),
    );
  }
  return errors;
}

/**
 * The operation's cost by `@pothos/plugin-complexity` (every field 1, a connection's
 * selection multiplied by its `first`/`last`, 20 when neither is given; see builder.ts),
 * refused above `limits.maxCost`.
 */
export function checkCost(args: ExecutionArgs, limits: QueryLimits): GraphQLError[] {
  const refused: GraphQLError[] = [];
  const rule = createComplexityRule({
    context: (args.contextValue ?? {}) as object,
    variableValues: (args.variableValues ?? {}) as Record<string, unknown>,
    operationName: args.operationName,
    validate: ({ complexity }, report) => {
      if (complexity > limits.maxCost) {
        report(
          apiError(
            'QUERY_TOO_COMPLEX',
            `query costs ${complexity}, more than the limit of ${limits.maxCost} (each field 1, list sizes multiplied through by first/last)`,
            {
              extensions: { cost: { actual: complexity, max: limits.maxCost } },
            },
          ),
        );
      }
    },
    onResult: (_result, errors) => refused.push(...errors),
  });
  try {
    const errors = validate(args.schema, args.document, [rule]);
    // Other reports (unknown operation, invalid variables) are execution's to give.
    return refused.length ? refused : errors.filter((e) => hasCode(e, 'QUERY_TOO_COMPLEX'));
  } catch (error) {
    // An argument mapper refused a value (e.g. a malformed global id): the request cannot run.
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
}

/** Input limits first (a 70,000-item list is a BAD_USER_INPUT, whatever it would cost), then cost. */
export function checkRequest(args: ExecutionArgs, limits: QueryLimits): GraphQLError[] {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return [];
  const inputErrors = checkInputs(args.schema, args.document, operation, (args.variableValues ?? {}) as Record<string, unknown>, limits);
  if (inputErrors.length) return inputErrors.map(hideSuggestions);
  return checkCost(args, limits).map(hideSuggestions);
}

/** Variables larger than this (as JSON) are checked on every request rather than remembered. */
const MAX_REMEMBERED_VARIABLES = 1024;
/** Outcomes remembered per document (distinct variables); the oldest half goes when full. */
const MAX_REMEMBERED_PER_DOCUMENT = 64;

/**
 * `checkRequest` with its outcome remembered per document, operation and variables: the checks
 * read nothing else, and a screen sends the same request again and again. Documents are the
 * parse cache's, so what is remembered goes with them; requests whose variables are large (an
 * invoice's CSV) are always checked afresh.
 */
export function createRequestCheck(limits: QueryLimits): (args: ExecutionArgs) => GraphQLError[] {
  const outcomes = new WeakMap<DocumentNode, Map<string, GraphQLError[]>>();
  return (args) => {
    const variables = smallJson(args.variableValues);
    if (variables === undefined) return checkRequest(args, limits);
    const key = `${args.operationName ?? ''}\n${variables}`;
    let byRequest = outcomes.get(args.document);
    if (!byRequest) {
      byRequest = new Map();
      outcomes.set(args.document, byRequest);
    }
    let errors = byRequest.get(key);
    if (!errors) {
      errors = checkRequest(args, limits);
      if (byRequest.size >= MAX_REMEMBERED_PER_DOCUMENT)
        for (const old of [...byRequest.keys()].slice(0, MAX_REMEMBERED_PER_DOCUMENT / 2)) byRequest.delete(old);
      byRequest.set(key, errors);
    }
    return errors;
  };
}

/** The variables as JSON when that is at most MAX_REMEMBERED_VARIABLES characters; undefined otherwise. */
function smallJson(variables: ExecutionArgs['variableValues']): string | undefined {
  if (!variables) return '';
  let budget = MAX_REMEMBERED_VARIABLES;
  const fits = (value: unknown, depth: number): boolean => {
    if (typeof value === 'string') return (budget -= value.length + 3) >= 0;
    if (value === null || typeof value !== 'object') return (budget -= 8) >= 0;
    if (depth > 8) return false;
    for (const [k, v] of Object.entries(value)) if ((budget -= k.length + 4) < 0 || !fits(v, depth + 1)) return false;
    return true;
  };
  return fits(variables, 0) ? JSON.stringify(variables) : undefined;
}

/** Used by the schema's fields to declare a larger maximum than the default. */
export function inputLimits(limits: InputLimitExtensions): { extensions: InputLimitExtensions } {
  return { extensions: limits };
}
