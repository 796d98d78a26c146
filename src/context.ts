import type { Database } from './db/index.js';
import type { ApiKeyRole } from './domain/api-keys.js';
import type { Logger } from './log.js';
import type { DoClient } from './digitalocean/client.js';
import type { PubSub } from './pubsub.js';
import type { SyncService } from './sync/service.js';
import type { EventObserver } from './events/commit.js';

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
  /** The cloud account rows are attributed to. */
  accountId: string;
  fallbackTenantId: string;
  /** The DigitalOcean API client (absent when none is configured: API ingests then answer UPSTREAM_ERROR). */
  doClient?: DoClient;
  /** Carries committed events to subscribers (in process, or through Redis between replicas). */
  pubsub: PubSub;
  /** The sync workers (absent in apps built without them, e.g. some tests). */
  sync?: SyncService;
  /** Where commits report their events (src/metrics). */
  metrics?: { events?: EventObserver };
};

/** Per request (or per WebSocket operation): the caller, and values computed once for it. */
export type Context = Services & { viewer: Viewer; once: <T>(key: string, load: () => Promise<T>) => Promise<T> };

/** A memo for one request: `once(key, load)` runs `load` the first time only. */
export function requestMemo(): Context['once'] {
  const values = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>) => {
    if (!values.has(key)) values.set(key, load());
    return values.get(key) as Promise<T>;
  };
}
