import type { Accounts } from './accounts.js';
import type { Database } from './db/index.js';
import type { ApiKeyRole } from './domain/api-keys.js';
import type { Logger } from './log.js';
import type { PubSub } from './pubsub.js';

/** Who is calling: from the API key of the request or WebSocket connection. */
export type Viewer = {
  role: ApiKeyRole;
  /** Set for tenant-scoped keys: the viewer sees only this tenant's data. */
  tenantId: string | null;
  /** Key id for audit fields ("admin" for ADMIN_API_KEY, "anonymous" when auth is off). */
  actor: string;
  /** Database id of the API key (null for ADMIN_API_KEY and when auth is off): revocation ends this key's sockets. */
  keyId: string | null;
  /** When the key stops working (null: never). */
  expiresAt: Date | null;
};

/** Long-lived parts of the app that resolvers use. Later parts add optional members. */
export type Services = {
  db: Database;
  log: Logger;
  /** The configured DigitalOcean accounts, each with its client and sync workers (where it has them). */
  accounts: Accounts;
  fallbackTenantId: string;
  /** Carries committed events to subscribers (in process, or through Redis between replicas). */
  pubsub: PubSub;
};

/** Per request (or per WebSocket operation): the caller, the accounts it may see, and values computed once for it. */
export type Context = Services & {
  /** The configured accounts' ids (`accounts.ids`): every scope is limited to them (`Viewing`). */
  accountIds: readonly string[];
  viewer: Viewer;
  once: <T>(key: string, load: () => Promise<T>) => Promise<T>;
};

/** A memo for one request: `once(key, load)` runs `load` the first time only. */
export function requestMemo(): Context['once'] {
  const values = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>) => {
    if (!values.has(key)) values.set(key, load());
    return values.get(key) as Promise<T>;
  };
}
