import { buildSchema, execute, parse, specifiedRules, subscribe, validate } from 'graphql';
import { envelop, type Plugin, useSchema } from 'graphql-yoga';
import { describe, expect, it, vi } from 'vitest';
import { compiledExecutionPlugin, isCompilable } from '../../src/execution/compiled-execution.js';

const schema = buildSchema(`
  type Query { echo(s: String, at: [String!]): String, item: Item }
  type Item { name: String, parts: [Item!] }
  type Subscription { tick: Int }
`);
const rootValue = {
  echo: ({ s }: { s?: string }) => s ?? null,
  item: { name: 'root', parts: [{ name: 'a', parts: [] }, { name: 'b' }] },
};

/** An envelop with the plugin; `interpreted` counts the executions graphql-js ran. */
function engine(fromExecution?: number) {
  const interpreted = vi.fn(execute);
  const graphqlJs: Plugin = {
    onParse: ({ setParseFn }) => setParseFn(parse),
    onValidate: ({ setValidationFn, addValidationRule }) => {
      setValidationFn(validate);
      specifiedRules.forEach(addValidationRule);
    },
    onExecute: ({ setExecuteFn }) => setExecuteFn(interpreted),
    onSubscribe: ({ setSubscribeFn }) => setSubscribeFn(subscribe),
  };
  const getEnveloped = envelop({ plugins: [graphqlJs, useSchema(schema), compiledExecutionPlugin({ fromExecution })] });
  const run = async (source: string, operationName?: string) => {
    const e = getEnveloped();
    const document = cache.get(source) ?? e.parse(source);
    cache.set(source, document);
    expect(e.validate(e.schema, document)).toEqual([]);
    return e.execute({ schema: e.schema, document, rootValue, contextValue: await e.contextFactory(), operationName });
  };
  // yoga's parse cache hands out the same document for the same text; so does this.
  const cache = new Map<string, ReturnType<typeof parse>>();
  return { run, interpreted };
}

const ITEM = '{ item { name parts { name parts { name } } } }';
const EXPECTED = {
  data: {
    item: {
      name: 'root',
      parts: [
        { name: 'a', parts: [] },
        { name: 'b', parts: null },
      ],
    },
  },
};

describe('compiled execution', () => {
  it('runs a document on graphql-js the first time and compiled from the second, with the same result', async () => {
    const { run, interpreted } = engine();
    expect(await run(ITEM)).toEqual(EXPECTED);
    expect(interpreted).toHaveBeenCalledTimes(1);
    expect(await run(ITEM)).toEqual(EXPECTED);
    expect(await run(ITEM)).toEqual(EXPECTED);
    expect(interpreted).toHaveBeenCalledTimes(1);
  });

  it('compiles from the first execution when asked', async () => {
    const { run, interpreted } = engine(1);
    expect(await run(ITEM)).toEqual(EXPECTED);
    expect(interpreted).not.toHaveBeenCalled();
  });

  it('never compiles a document with several operations: each run picks its own', async () => {
    const { run, interpreted } = engine(1);
    const source = 'query A { echo(s: "a") } query B { echo(s: "b") }';
    expect(await run(source, 'A')).toEqual({ data: { echo: 'a' } });
    expect(await run(source, 'B')).toEqual({ data: { echo: 'b' } });
    expect(interpreted).toHaveBeenCalledTimes(2);
  });

  it('never compiles a string that graphql-jit would turn into code, however it is written', async () => {
    const { run, interpreted } = engine(1);
    const payload = '__MAGIC_DATE__33a9e76d_02e0_4128_8e92_3530ad3da74d0),x:(globalThis.compiledExecutionPwned=1),y:(0';
    const escaped = payload.replace(/_/g, '\\u005F');
    for (const source of [
      `{ echo(s: "${payload}") }`,
      `{ echo(s: "${escaped}") }`,
      `query($s: String = "${payload}") { echo(s: $s) }`,
      `{ echo(at: ["x", """${payload}"""]) }`,
    ]) {
      await run(source);
      await run(source);
    }
    expect((globalThis as { compiledExecutionPwned?: number }).compiledExecutionPwned).toBeUndefined();
    expect(interpreted).toHaveBeenCalledTimes(8);
    expect(await run(`{ echo(s: "${escaped}") }`)).toEqual({ data: { echo: payload } });
  });

  it('tells which documents it compiles', () => {
    expect(isCompilable(parse('{ echo(s: "plain") }'))).toBe(true);
    expect(isCompilable(parse('mutation { x }'))).toBe(true);
    expect(isCompilable(parse('subscription { tick }'))).toBe(false);
    expect(isCompilable(parse('query A { echo } query B { echo }'))).toBe(false);
    expect(isCompilable(parse('{ echo(s: "a __MAGIC_ b") }'))).toBe(false);
  });
});
