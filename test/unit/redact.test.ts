import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { configuredSecrets } from '../../src/redact.js';
import { testConfig } from '../helpers/app.js';

const TOKEN = 'dop_v1_0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f';
const ADMIN = 'admin-key-9a8b7c6d';
const DB_PASSWORD = 'p@ss word/9';
const REDIS_PASSWORD = 'redis-pass-7788';

describe('redaction of configured secrets', () => {
  it('removes every configured secret from log lines, with or without "Bearer", in messages, fields and errors', () => {
    const config = testConfig({
      DIGITALOCEAN_TOKEN: TOKEN,
      ADMIN_API_KEY: ADMIN,
      DATABASE_URL: `postgresql://app:${encodeURIComponent(DB_PASSWORD)}@db.example:5432/app`,
      REDIS_URL: `redis://:${REDIS_PASSWORD}@cache.example:6379`,
    });
    const lines: string[] = [];
    const log = createLogger('debug', {}, (l) => lines.push(l)).withSecrets(configuredSecrets(config));
    log.warn(`upstream said: token ${TOKEN} rejected`, {
      header: `Bearer ${TOKEN}`,
      body: `{"detail":"${TOKEN}","admin":"${ADMIN}"}`,
      nested: { list: [`db password ${DB_PASSWORD}`, `encoded ${encodeURIComponent(DB_PASSWORD)}`], error: new Error(`redis refused ${REDIS_PASSWORD}`) },
    });
    log.child({ worker: 'DROPLETS' }).error(`key ${ADMIN} and ${TOKEN}`);
    const text = lines.join('\n');
    for (const secret of [TOKEN, ADMIN, DB_PASSWORD, encodeURIComponent(DB_PASSWORD), REDIS_PASSWORD]) expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(8);
    expect(log.redact(`stored: ${TOKEN}`)).toBe('stored: [redacted]');
  });
});

describe('configuredSecrets with several accounts', () => {
  it('holds every account token, so none of them reaches a log line', () => {
    const tokens = ['dop_v1_1111111111111111', 'dop_v1_2222222222222222', 'dop_v1_3333333333333333'];
    const config = testConfig({
      DIGITALOCEAN_ACCOUNTS: JSON.stringify(tokens.map((token, i) => ({ slug: `team-${i}`, name: `Team ${i}`, token }))),
    });
    expect(configuredSecrets(config)).toEqual(expect.arrayContaining(tokens));
    const lines: string[] = [];
    const log = createLogger('debug', {}, (l) => lines.push(l)).withSecrets(configuredSecrets(config));
    log.error(`401 for ${tokens[1]}`, { header: `Bearer ${tokens[2]}`, other: tokens[0] });
    for (const token of tokens) expect(lines.join('\n')).not.toContain(token);
  });
});
