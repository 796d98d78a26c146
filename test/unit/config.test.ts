import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type ConfigResult } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the documented defaults when nothing is set', () => {
    const r = loadConfig({});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: null,
      doToken: null,
      doApiUrl: 'https://api.digitalocean.com',
      redisUrl: null,
      adminApiKey: null,
      fallbackTenant: 'unassigned',
      logLevel: 'info',
    });
    expect(r.config.dataDir.endsWith('/data')).toBe(true);
    expect(r.config.schedules.SNAPSHOTS).toEqual({ pattern: '33 * * * *', overridden: false });
    expect(r.config.schedules.BACKUPS.pattern).toBe('41 * * * *');
  });

  it('reports every problem at once, each naming its variable', () => {
    const r = loadConfig({
      PORT: '80a',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'http://nope',
      LOG_LEVEL: 'loud',
      SYNC_SCHEDULE_DROPLETS: 'every tuesday',
      SYNC_SCHEDULE_TOASTERS: '* * * * *',
      ADMIN_API_KEY: 'short',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL', 'SYNC_SCHEDULE_DROPLETS', 'SYNC_SCHEDULE_TOASTERS', 'ADMIN_API_KEY']) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('short');
  });

  it('rejects a port out of range', () => {
    const r = loadConfig({ PORT: '70000' });
    expect(r.ok).toBe(false);
  });

  it('turns a worker off with "off" and accepts cron overrides', () => {
    const r = loadConfig({ SYNC_SCHEDULE_INVOICES: 'off', SYNC_SCHEDULE_DROPLETS: '* * * * *' });
    expect(r.ok && r.config.schedules.INVOICES).toEqual({ pattern: null, overridden: true });
    expect(r.ok && r.config.schedules.DROPLETS).toEqual({ pattern: '* * * * *', overridden: true });
  });

  it.each([
    ['off', { pattern: null, overridden: true }],
    ['OFF', { pattern: null, overridden: true }],
    ['disabled', { pattern: null, overridden: true, disabled: true }],
    [' Disabled ', { pattern: null, overridden: true, disabled: true }],
  ])('reads SYNC_SCHEDULE_<WORKER>=%j: off keeps the worker for runSync, disabled stops it', (word, schedule) => {
    const r = loadConfig({ SYNC_SCHEDULE_DATABASES: word });
    expect(r.ok && r.config.schedules.DATABASES).toStrictEqual(schedule);
  });

  it('refuses production without a DigitalOcean token', () => {
    const r = loadConfig({ NODE_ENV: 'production' });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems[0]).toMatch(/DIGITALOCEAN_TOKEN/);
  });

  it('treats empty variables as unset', () => {
    const r = loadConfig({ PORT: '', DATABASE_URL: '  ' });
    expect(r.ok && r.config.port).toBe(4000);
    expect(r.ok && r.config.databaseUrl).toBeNull();
  });

  it('reads the query limits and the statement timeout, with documented defaults', () => {
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.queryLimits).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxTokens: 4000,
      maxDirectives: 50,
      maxCost: 50000,
      maxStringLength: 1000,
      maxListItems: 100,
    });
    expect(defaults.ok && defaults.config.statementTimeoutMs).toBe(10_000);
    const set = loadConfig({
      QUERY_MAX_DEPTH: '8',
      QUERY_MAX_ALIASES: '5',
      QUERY_MAX_TOKENS: '900',
      QUERY_MAX_DIRECTIVES: '3',
      QUERY_MAX_COST: '1000',
      QUERY_MAX_STRING_LENGTH: '64',
      QUERY_MAX_LIST_ITEMS: '10',
      DATABASE_STATEMENT_TIMEOUT_MS: '0',
    });
    expect(set.ok && set.config.queryLimits).toEqual({
      maxDepth: 8,
      maxAliases: 5,
      maxTokens: 900,
      maxDirectives: 3,
      maxCost: 1000,
      maxStringLength: 64,
      maxListItems: 10,
    });
    expect(set.ok && set.config.statementTimeoutMs).toBe(0);
    const bad = loadConfig({ QUERY_MAX_COST: 'lots', QUERY_MAX_DEPTH: '0', DATABASE_STATEMENT_TIMEOUT_MS: '-1' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_STATEMENT_TIMEOUT_MS', 'QUERY_MAX_COST', 'QUERY_MAX_DEPTH']);
  });
});

describe('loadConfig: browser and WebSocket safety settings', () => {
  it('defaults: no cross-origin access, 1 MiB messages, 10 s to authenticate, 100 subscriptions per socket, 1,000 sockets per key', () => {
    const r = loadConfig({});
    expect(r.ok && r.config.corsOrigins).toEqual([]);
    expect(r.ok && r.config.ws).toEqual({
      maxPayloadBytes: 1_048_576,
      connectionInitTimeoutMs: 10_000,
      maxSubscriptionsPerSocket: 100,
      maxSocketsPerKey: 1_000,
      multiplex: true,
    });
  });

  it('reads CORS_ORIGINS as a comma-separated list of origins and the WebSocket limits as whole numbers', () => {
    const r = loadConfig({
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173/',
      WS_MAX_PAYLOAD_BYTES: '4096',
      WS_CONNECTION_INIT_TIMEOUT_MS: '250',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '3',
      WS_MAX_SOCKETS_PER_KEY: '2',
    });
    expect(r.ok && r.config.corsOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(r.ok && r.config.ws).toEqual({
      maxPayloadBytes: 4096,
      connectionInitTimeoutMs: 250,
      maxSubscriptionsPerSocket: 3,
      maxSocketsPerKey: 2,
      multiplex: true,
    });
  });

  it('reports a CORS_ORIGINS entry that is not an origin, and limits that are not positive whole numbers', () => {
    const r = loadConfig({ CORS_ORIGINS: 'https://ok.example, https://x.example/path, *', WS_MAX_PAYLOAD_BYTES: '0', WS_MAX_SOCKETS_PER_KEY: 'lots' });
    expect(r.ok).toBe(false);
    const text = !r.ok ? r.problems.join('\n') : '';
    expect(text).toMatch(/CORS_ORIGINS: "https:\/\/x\.example\/path" is not an origin/);
    expect(text).toMatch(/CORS_ORIGINS: "\*" is not an origin/);
    expect(text).toMatch(/WS_MAX_PAYLOAD_BYTES/);
    expect(text).toMatch(/WS_MAX_SOCKETS_PER_KEY/);
  });
});

const problemsOf = (r: ConfigResult): string[] => (r.ok ? [] : r.problems);

describe('loadConfig: DigitalOcean accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'accounts-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const TOKEN_A = 'dop_v1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const TOKEN_B = 'dop_v1_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
  const two = [
    { slug: 'acme-prod', name: 'Acme production', token: TOKEN_A },
    { slug: 'acme-staging', name: 'Acme staging', token: TOKEN_B, apiUrl: 'http://127.0.0.1:9999' },
  ];

  it('without any token: no accounts (simulated), and the old fields say so', () => {
    const r = loadConfig({});
    expect(r.ok && r.config.accounts).toEqual([]);
    expect(r.ok && r.config.doToken).toBeNull();
  });

  it('DIGITALOCEAN_TOKEN is one account with slug "default" on DIGITALOCEAN_API_URL', () => {
    const r = loadConfig({ DIGITALOCEAN_TOKEN: TOKEN_A, DIGITALOCEAN_API_URL: 'http://do.example' });
    expect(r.ok && r.config.accounts).toEqual([{ slug: 'default', name: 'DigitalOcean account', token: TOKEN_A, apiUrl: 'http://do.example' }]);
    expect(r.ok && [r.config.doToken, r.config.doApiUrl]).toEqual([TOKEN_A, 'http://do.example']);
    const plain = loadConfig({ DIGITALOCEAN_TOKEN: TOKEN_A });
    expect(plain.ok && plain.config.accounts[0]?.apiUrl).toBe('https://api.digitalocean.com');
  });

  it('DIGITALOCEAN_ACCOUNTS lists several, apiUrl defaulting to DIGITALOCEAN_API_URL', () => {
    const r = loadConfig({ DIGITALOCEAN_ACCOUNTS: JSON.stringify(two), DIGITALOCEAN_API_URL: 'https://do.example' });
    expect(problemsOf(r)).toEqual([]);
    expect(r.ok && r.config.accounts).toEqual([
      { slug: 'acme-prod', name: 'Acme production', token: TOKEN_A, apiUrl: 'https://do.example' },
      { slug: 'acme-staging', name: 'Acme staging', token: TOKEN_B, apiUrl: 'http://127.0.0.1:9999' },
    ]);
    // Callers of the single-account fields get the first account until they read `accounts`.
    expect(r.ok && [r.config.doToken, r.config.doApiUrl]).toEqual([TOKEN_A, 'https://do.example']);
    const plain = loadConfig({ DIGITALOCEAN_ACCOUNTS: JSON.stringify(two.slice(0, 1)) });
    expect(plain.ok && plain.config.accounts[0]?.apiUrl).toBe('https://api.digitalocean.com');
  });

  it('DIGITALOCEAN_ACCOUNTS_FILE reads the same JSON from a file', () => {
    const file = join(dir, 'accounts.json');
    writeFileSync(file, JSON.stringify(two, null, 2));
    const r = loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: file });
    expect(problemsOf(r)).toEqual([]);
    expect(r.ok && r.config.accounts.map((a) => [a.slug, a.token, a.apiUrl])).toEqual([
      ['acme-prod', TOKEN_A, 'https://api.digitalocean.com'],
      ['acme-staging', TOKEN_B, 'http://127.0.0.1:9999'],
    ]);
  });

  it('refuses DIGITALOCEAN_TOKEN together with DIGITALOCEAN_ACCOUNTS or _FILE, and ACCOUNTS together with ACCOUNTS_FILE', () => {
    const file = join(dir, 'both.json');
    writeFileSync(file, JSON.stringify(two));
    const withInline = problemsOf(loadConfig({ DIGITALOCEAN_TOKEN: TOKEN_A, DIGITALOCEAN_ACCOUNTS: JSON.stringify(two) }));
    expect(withInline).toHaveLength(1);
    expect(withInline[0]).toMatch(/^DIGITALOCEAN_ACCOUNTS: not together with DIGITALOCEAN_TOKEN/);
    const withFile = problemsOf(loadConfig({ DIGITALOCEAN_TOKEN: TOKEN_A, DIGITALOCEAN_ACCOUNTS_FILE: file }));
    expect(withFile).toHaveLength(1);
    expect(withFile[0]).toMatch(/^DIGITALOCEAN_ACCOUNTS_FILE: not together with DIGITALOCEAN_TOKEN/);
    const inlineAndFile = problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS: JSON.stringify(two), DIGITALOCEAN_ACCOUNTS_FILE: file }));
    expect(inlineAndFile).toEqual(['DIGITALOCEAN_ACCOUNTS_FILE: not together with DIGITALOCEAN_ACCOUNTS (set one of them)']);
    for (const text of [...withInline, ...withFile]) expect(text).not.toContain(TOKEN_A);
  });

  it('treats empty account variables as unset', () => {
    const r = loadConfig({ DIGITALOCEAN_TOKEN: TOKEN_A, DIGITALOCEAN_ACCOUNTS: ' ', DIGITALOCEAN_ACCOUNTS_FILE: '' });
    expect(r.ok && r.config.accounts.map((a) => a.slug)).toEqual(['default']);
  });

  it('reports every bad entry at once, naming the entry and field', () => {
    const r = loadConfig({
      DIGITALOCEAN_ACCOUNTS: JSON.stringify([
        { slug: 'Acme Prod', name: '', token: TOKEN_A },
        { slug: 'ok', name: 'OK', token: '', apiUrl: 'ftp://x' },
        { name: 'No slug', token: TOKEN_B, tokn: 'typo' },
        'not an object',
      ]),
      PORT: 'eighty',
    });
    const problems = problemsOf(r);
    expect(problems.map((p) => p.split(': ')[0]).sort()).toEqual(
      [
        'DIGITALOCEAN_ACCOUNTS[0].name',
        'DIGITALOCEAN_ACCOUNTS[0].slug',
        'DIGITALOCEAN_ACCOUNTS[1].apiUrl',
        'DIGITALOCEAN_ACCOUNTS[1].token',
        'DIGITALOCEAN_ACCOUNTS[2]',
        'DIGITALOCEAN_ACCOUNTS[2].slug',
        'DIGITALOCEAN_ACCOUNTS[3]',
        'PORT',
      ].sort(),
    );
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[0].slug: must be a slug: lower-case letters, digits and -');
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[0].name: must not be empty');
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[1].token: must not be empty or contain spaces');
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[1].apiUrl: must be an http:// or https:// URL');
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[2].slug: is required');
    expect(problems.find((p) => p.startsWith('DIGITALOCEAN_ACCOUNTS[2]: '))).toMatch(/tokn/);
    expect(problems).toContain('DIGITALOCEAN_ACCOUNTS[3]: must be an object { "slug", "name", "token", "apiUrl"? }');
  });

  it('requires unique slugs, and refuses the same token on the same API twice', () => {
    const problems = problemsOf(
      loadConfig({
        DIGITALOCEAN_ACCOUNTS: JSON.stringify([
          { slug: 'acme', name: 'A', token: TOKEN_A },
          { slug: 'acme', name: 'B', token: TOKEN_B },
          { slug: 'other', name: 'C', token: TOKEN_A },
          { slug: 'sim', name: 'D', token: TOKEN_A, apiUrl: 'http://127.0.0.1:9999' },
        ]),
      }),
    );
    expect(problems).toEqual([
      'DIGITALOCEAN_ACCOUNTS[1].slug: "acme" is already the slug of DIGITALOCEAN_ACCOUNTS[0]',
      'DIGITALOCEAN_ACCOUNTS[2].token: the same token and API URL as DIGITALOCEAN_ACCOUNTS[0] (one account listed twice)',
    ]);
  });

  it('reports JSON that is not a non-empty array of accounts', () => {
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS: '[]' }))).toEqual(['DIGITALOCEAN_ACCOUNTS: must list at least one account']);
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS: '{"slug":"a"}' }))).toEqual([
      'DIGITALOCEAN_ACCOUNTS: must be a JSON array of { "slug", "name", "token", "apiUrl"? }',
    ]);
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS: '[{"slug": "a",}]' }))).toEqual([
      expect.stringMatching(/^DIGITALOCEAN_ACCOUNTS: not valid JSON \(error at character \d+\): expected an array of/),
    ]);
  });

  it('reports a file that cannot be read, or does not hold valid JSON', () => {
    const missing = join(dir, 'missing.json');
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: missing }))).toEqual([`DIGITALOCEAN_ACCOUNTS_FILE: cannot read ${missing} (no such file)`]);
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: dir }))).toEqual([`DIGITALOCEAN_ACCOUNTS_FILE: cannot read ${dir} (a directory, not a file)`]);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, `[{"slug":"a","name":"A","token":"${TOKEN_A}"`);
    const problems = problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: broken }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DIGITALOCEAN_ACCOUNTS_FILE: not valid JSON/);
    const bad = join(dir, 'bad-entry.json');
    writeFileSync(bad, JSON.stringify([{ slug: 'a', name: ' ', token: TOKEN_A }]));
    expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: bad }))).toEqual(['DIGITALOCEAN_ACCOUNTS_FILE[0].name: must not be empty']);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.json');
      writeFileSync(locked, JSON.stringify(two));
      chmodSync(locked, 0o000);
      expect(problemsOf(loadConfig({ DIGITALOCEAN_ACCOUNTS_FILE: locked }))).toEqual([`DIGITALOCEAN_ACCOUNTS_FILE: cannot read ${locked} (permission denied)`]);
    }
  });

  it('never puts a token in a message, whatever is wrong around it', () => {
    const spaced = 'dop_v1_has a space';
    const cases: Record<string, string>[] = [
      // JSON.parse's own messages quote the input: a token at the start of a broken document.
      { DIGITALOCEAN_ACCOUNTS: TOKEN_A },
      { DIGITALOCEAN_ACCOUNTS: `"${TOKEN_A}"` },
      { DIGITALOCEAN_ACCOUNTS: `[{"slug":"a","name":"A","token":"${TOKEN_A}" "x"}]` },
      {
        DIGITALOCEAN_ACCOUNTS: JSON.stringify([
          { slug: 'a', name: 'A', token: spaced },
          { slug: 'b', name: 'B', token: [TOKEN_A] },
        ]),
      },
      {
        DIGITALOCEAN_ACCOUNTS: JSON.stringify([
          { slug: 'a', name: 'A', token: TOKEN_A },
          { slug: 'b', name: 'B', token: TOKEN_A },
        ]),
      },
      { DIGITALOCEAN_ACCOUNTS: JSON.stringify([{ slug: 'a', name: 'A', token: TOKEN_A }]), DIGITALOCEAN_TOKEN: TOKEN_B },
      { DIGITALOCEAN_ACCOUNTS: JSON.stringify([{ slug: 'a', name: 'A', token: TOKEN_A, apiUrl: TOKEN_B }]) },
    ];
    for (const env of cases) {
      const problems = problemsOf(loadConfig(env));
      expect(problems.length, JSON.stringify(env)).toBeGreaterThan(0);
      const text = problems.join('\n');
      for (const secret of [TOKEN_A, TOKEN_B, spaced, 'dop_v1']) expect(text).not.toContain(secret);
    }
  });

  it('production needs an account, from any of the three variables', () => {
    expect(problemsOf(loadConfig({ NODE_ENV: 'production' }))[0]).toMatch(/DIGITALOCEAN_ACCOUNTS/);
    expect(loadConfig({ NODE_ENV: 'production', DIGITALOCEAN_ACCOUNTS: JSON.stringify(two) }).ok).toBe(true);
  });
});
