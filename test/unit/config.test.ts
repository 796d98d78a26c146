import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

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
    expect(set.ok && set.config.queryLimits).toEqual({ maxDepth: 8, maxAliases: 5, maxTokens: 900, maxDirectives: 3, maxCost: 1000, maxStringLength: 64, maxListItems: 10 });
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
    expect(r.ok && r.config.ws).toEqual({ maxPayloadBytes: 1_048_576, connectionInitTimeoutMs: 10_000, maxSubscriptionsPerSocket: 100, maxSocketsPerKey: 1_000 });
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
    expect(r.ok && r.config.ws).toEqual({ maxPayloadBytes: 4096, connectionInitTimeoutMs: 250, maxSubscriptionsPerSocket: 3, maxSocketsPerKey: 2 });
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
