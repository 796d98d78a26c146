import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const MISSING_PARTS = new Set(['TYPE_REMOVED', 'FIELD_REMOVED', 'ARG_REMOVED', 'VALUE_REMOVED_FROM_ENUM']);

describe('the printed schema', () => {
  it('is committed and up to date (run npm run schema:print after changing the API)', async () => {
    const committed = await readFile(join(PROJECT_ROOT, 'src/schema/schema.graphql'), 'utf8');
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });

  it('breaks nothing of the API contract that it already implements', async () => {
    const contractPath = join(PROJECT_ROOT, '../shared/api/contract.graphql');
    const contract = await readFile(contractPath, 'utf8').catch(() => null);
    if (!contract) return expect(contract).toBeNull();
    const gaps = findBreakingChanges(buildSchema(contract), schema)
      // Parts the server does not have yet (types, fields, arguments, enum values) show up as
      // removals; changed kinds, nullability or required arguments never may.
      .filter((g) => !MISSING_PARTS.has(g.type));
    expect(gaps.map((g) => g.description)).toEqual([]);
  });
});
