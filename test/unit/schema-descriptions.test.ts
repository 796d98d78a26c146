import { isEnumType, isInputObjectType, isInterfaceType, isIntrospectionType, isObjectType, isSpecifiedScalarType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const described = (part: { description?: string | null }) => Boolean(part.description?.trim());

/** Every type, field, argument, input field and enum value without a description, named `Type.field(arg)`. */
function undescribed(s: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    // Built-in scalars and the introspection types are graphql-js's, not ours.
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!described(type)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field)) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!described(arg)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!described(value)) missing.push(`${type.name}.${value.name}`);
  }
  return missing.sort();
}

describe('the schema documents itself', () => {
  it('describes every type, field, argument and enum value', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('states the page size and the request limits with their settings', () => {
    const first = schema
      .getQueryType()!
      .getFields()
      .resources!.args.find((a) => a.name === 'first')!;
    expect(first.description).toMatch(/0 to 100; 20 when neither/);
    const query = schema.getQueryType()!.description!;
    for (const setting of ['QUERY_MAX_DEPTH', 'QUERY_MAX_COST', 'QUERY_MAX_STRING_LENGTH', 'QUERY_MAX_LIST_ITEMS']) expect(query).toContain(setting);
  });

  it('names what is missing (the check itself)', async () => {
    const { buildSchema } = await import('graphql');
    const bare = buildSchema('"Reads." type Query { "A field." a(x: Int): E } enum E { "one" ONE TWO }');
    expect(undescribed(bare)).toEqual(['E', 'E.TWO', 'Query.a(x)']);
  });
});
