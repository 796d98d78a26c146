import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import * as Db from '../../src/generated/prisma/enums.js';
import { API_KEY_ROLE_DESCRIPTIONS } from '../../src/domain/api-keys.js';
import { INVOICE_SOURCES, MATCH_METHODS, UNMATCHED_REASONS } from '../../src/domain/billing.js';
import { ERROR_CODES } from '../../src/domain/error-codes.js';
import { EVENT_TYPES } from '../../src/domain/event-types.js';
import { RESOURCE_KINDS } from '../../src/domain/kinds.js';
import { LIFECYCLES, TENANT_SOURCES } from '../../src/domain/lifecycle.js';
import { dbEnum } from '../../src/domain/list.js';
import { SYNC_RUN_STATUSES, SYNC_TRIGGERS, SYNC_WORKERS } from '../../src/domain/workers.js';

describe('the domain lists', () => {
  it('hold exactly the values of the database enums', () => {
    const pairs: [readonly string[], Record<string, string>][] = [
      [RESOURCE_KINDS, Db.ResourceKind],
      [LIFECYCLES, Db.Lifecycle],
      [TENANT_SOURCES, Db.TenantSource],
      [EVENT_TYPES, Db.ResourceEventType],
      [SYNC_WORKERS, Db.SyncWorker],
      [SYNC_TRIGGERS, Db.SyncTrigger],
      [SYNC_RUN_STATUSES, Db.SyncRunStatus],
      [UNMATCHED_REASONS, Db.UnmatchedReason],
      [MATCH_METHODS, Db.MatchMethod],
      [INVOICE_SOURCES, Db.InvoiceSource],
      [Object.keys(API_KEY_ROLE_DESCRIPTIONS), Db.ApiKeyRole],
    ];
    for (const [list, dbEnumValues] of pairs) expect([...list].sort()).toEqual(Object.values(dbEnumValues).sort());
  });

  it('do not compile when a value is missing from either side', () => {
    type Db2 = 'A' | 'B';
    expect(dbEnum<Db2>()(['A', 'B'])).toEqual(['A', 'B']);
    // @ts-expect-error B is missing from the list
    expect(dbEnum<Db2>()(['A'])).toEqual(['A']);
    // @ts-expect-error C is not in the database enum
    expect(dbEnum<Db2>()(['A', 'B', 'C'])).toEqual(['A', 'B', 'C']);
  });
});

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the error-code registry', () => {
  it('gives each code one sentence', () => {
    for (const [code, { description }] of Object.entries(ERROR_CODES)) {
      expect(description, code).toMatch(/^[A-Z`].*[.)]$/);
    }
  });

  it('holds every code the server writes', () => {
    // Codes written as literals: `code: 'X'`, apiError('X', …), userError('X', …), hasCode(e, 'X').
    const written = /\bcode: '([A-Z][A-Z_]+)'|\b(?:apiError|userError)\('([A-Z][A-Z_]+)'|\bhasCode\([^,]+, '([A-Z][A-Z_]+)'/g;
    const unknown: string[] = [];
    const found = new Set<string>();
    const src = join(PROJECT_ROOT, 'src');
    for (const file of sources(src)) {
      const rel = relative(src, file);
      if (rel.startsWith('generated') || rel.startsWith('simulator')) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(written)) {
        const code = m[1] ?? m[2] ?? m[3]!;
        found.add(code);
        if (!(code in ERROR_CODES)) unknown.push(`${rel}: ${code}`);
      }
    }
    expect(unknown).toEqual([]);
    // The scan sees the codes of every tier (a broken pattern would find none and pass).
    expect([...found]).toEqual(expect.arrayContaining(['FORBIDDEN', 'SERVICE_UNAVAILABLE', 'NOT_FOUND', 'NO_CHANGE', 'INVALID_CSV', 'INVALID_ITEM']));
  });
});
