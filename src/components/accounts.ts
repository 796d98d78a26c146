import { accountRegistry, upsertAccount, type AccountRuntime, type Accounts } from '../accounts.js';
import { DEFAULT_ACCOUNT_SLUG, type Config } from '../config.js';
import type { Database } from '../db/index.js';
import { createDoClient, type DoClient, type DoClientOptions } from '../digitalocean/client.js';
import type { Logger } from '../log.js';
import type { PubSub } from '../pubsub.js';
import type { Component } from './lifecycle.js';
import { createSync } from './sync.js';

/** One account to serve: its row's slug, name and API URL, and how its client is made (null: no client). */
export type PlannedAccount = { slug: string; name: string; apiUrl: string; simulated: boolean; client: DoClientOptions | null };

/**
 * Which accounts this server serves, and their clients' options:
 * - configured accounts (DIGITALOCEAN_TOKEN or DIGITALOCEAN_ACCOUNTS): each with its token and
 *   API URL; `doClient` options (clock, limits, retries, page size) apply to every client. With
 *   exactly one account `doClient` applies whole, base URL and token included (tests point
 *   that account at a simulator);
 * - none configured, `doClient` given (tests): the account `default` talking to its base URL;
 * - none configured, simulators running: one simulated account per simulator;
 * - none configured and no simulators (an app built without sync): the account `simulated`
 *   without a client.
 */
export function planAccounts(
  config: Pick<Config, 'accounts' | 'doApiUrl'>,
  options: { doClient?: Partial<DoClientOptions>; simulated?: readonly { slug: string; name: string; url: string }[] },
): PlannedAccount[] {
  const { doClient } = options;
  const planned = (slug: string, name: string, simulated: boolean, client: DoClientOptions): PlannedAccount => ({
    slug,
    name,
    apiUrl: client.baseUrl,
    simulated,
    client,
  });
  if (config.accounts.length > 0) {
    const { token: _token, baseUrl: _baseUrl, ...shared } = doClient ?? {};
    const whole = config.accounts.length === 1 ? doClient : undefined;
    return config.accounts.map((a) => planned(a.slug, a.name, false, { token: a.token, baseUrl: a.apiUrl, ...shared, ...whole }));
  }
  if (doClient) {
    return [planned(DEFAULT_ACCOUNT_SLUG, 'DigitalOcean account', false, { token: 'simulated', baseUrl: config.doApiUrl, ...doClient })];
  }
  if (options.simulated?.length) {
    return options.simulated.map((s) => planned(s.slug, s.name, true, { token: 'simulated', baseUrl: s.url }));
  }
  return [{ slug: SIMULATED_SLUG, name: 'Simulated DigitalOcean account', apiUrl: config.doApiUrl, simulated: true, client: null }];
}

const SIMULATED_SLUG = 'simulated';

export type AccountsComponent = Component & {
  /** The registry (after start). */
  readonly accounts: Accounts;
  /** Each account's sync workers (after start; none without sync), to be started last. */
  readonly syncs: readonly Component[];
};

/**
 * The accounts of `planned`: on start each row is upserted by slug, its client made (with its
 * own rate budget, logging with the account's slug) and, unless `sync` is false, its sync
 * service created (not started: `syncs` are started once the server listens). Stop closes the
 * clients.
 */
export function createAccounts(
  planned: readonly PlannedAccount[],
  deps: { db: Database; pubsub: PubSub; log: Logger; fallbackTenantId: string; schedules: Config['schedules']; sync: false | { runOnStart?: boolean } },
): AccountsComponent {
  const clients: DoClient[] = [];
  const syncs: Component[] = [];
  let accounts: Accounts | undefined;
  return {
    get accounts() {
      if (!accounts) throw new Error('accounts not started');
      return accounts;
    },
    syncs,
    async start() {
      const list: AccountRuntime[] = [];
      for (const p of planned) {
        const id = await upsertAccount(deps.db, { slug: p.slug, name: p.name, apiUrl: p.apiUrl });
        const log = deps.log.child({ account: p.slug });
        const client = p.client ? createDoClient({ log: (level, msg, fields) => log[level](msg, fields), ...p.client }) : undefined;
        if (client) clients.push(client);
        const sync =
          client && deps.sync !== false
            ? createSync(
                { schedules: deps.schedules },
                { db: deps.db, pubsub: deps.pubsub, log, client, accountId: id, fallbackTenantId: deps.fallbackTenantId },
                { runOnStart: deps.sync.runOnStart },
              )
            : undefined;
        if (sync) syncs.push(sync);
        list.push({ id, slug: p.slug, name: p.name, simulated: p.simulated, ...(client ? { client } : {}), ...(sync ? { sync: sync.service } : {}) });
      }
      accounts = accountRegistry(list);
    },
    async stop() {
      for (const client of clients) await client.close();
    },
  };
}
