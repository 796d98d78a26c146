import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { PROJECT_ROOT } from '../../src/paths.js';

describe('the printed schema', () => {
  it('is committed and up to date (run npm run schema:print after changing the API)', async () => {
    const committed = await readFile(join(PROJECT_ROOT, 'src/schema/schema.graphql'), 'utf8');
    expect(committed).toBe(printSchema(schema) + '\n');
  });

  it('breaks nothing of the API contract that it already implements', async () => {
    const contractPath = join(PROJECT_ROOT, '../shared/api/contract.graphql');
    const contract = await readFile(contractPath, 'utf8').catch(() => null);
    if (!contract) return expect(contract).toBeNull();
    const gaps = findBreakingChanges(buildSchema(contract), schema)
      // Parts the server does not have yet show up as removals; changed kinds never may.
      .filter((g) => g.type !== 'TYPE_REMOVED' && g.type !== 'FIELD_REMOVED');
    expect(gaps.map((g) => g.description)).toEqual([]);
  });
});
