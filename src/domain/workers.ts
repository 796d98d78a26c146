import type * as Db from '../generated/prisma/enums.js';
import { dbEnum, type Described } from './list.js';

/**
 * The sync workers and their default schedules (croner patterns, seconds optional).
 * Defaults follow the original system: most kinds every 15 minutes, snapshots hourly at
 * :33, backups hourly at :41, invoices daily. `SYNC_SCHEDULE_<WORKER>` overrides each.
 */
export const SYNC_WORKERS = dbEnum<Db.SyncWorker>()([
  'DROPLETS',
  'DOMAINS',
  'PROJECTS',
  'VOLUMES',
  'SNAPSHOTS',
  'FLOATING_IPS',
  'FIREWALLS',
  'LOAD_BALANCERS',
  'BACKUPS',
  'DATABASES',
  'KUBERNETES',
  'APPS',
  'CDN_ENDPOINTS',
  'VPCS',
  'INVOICES',
]);

export type SyncWorkerName = (typeof SYNC_WORKERS)[number];

/** What the GraphQL `SyncWorker` says of each worker: what it lists, and its default schedule. */
export const SYNC_WORKER_DESCRIPTIONS = {
  DROPLETS: { description: 'Droplets (DROPLET); every 15 minutes by default (SYNC_SCHEDULE_DROPLETS).' },
  DOMAINS: { description: 'DNS zones (DNS_ZONE); every 15 minutes by default (SYNC_SCHEDULE_DOMAINS).' },
  PROJECTS: {
    description: 'Projects and their resources: attribution, and placeholders for kinds no worker lists; every 15 minutes by default (SYNC_SCHEDULE_PROJECTS).',
  },
  VOLUMES: { description: 'Block storage volumes (VOLUME); every 15 minutes by default (SYNC_SCHEDULE_VOLUMES).' },
  SNAPSHOTS: { description: 'Snapshots (SNAPSHOT); hourly at :33 by default (SYNC_SCHEDULE_SNAPSHOTS).' },
  FLOATING_IPS: { description: 'Reserved IPs (FLOATING_IP); every 15 minutes by default (SYNC_SCHEDULE_FLOATING_IPS).' },
  FIREWALLS: { description: 'Cloud firewalls (FIREWALL); every 15 minutes by default (SYNC_SCHEDULE_FIREWALLS).' },
  LOAD_BALANCERS: { description: 'Load balancers (LOAD_BALANCER); every 15 minutes by default (SYNC_SCHEDULE_LOAD_BALANCERS).' },
  BACKUPS: { description: 'Droplet backups (DROPLET_BACKUP); hourly at :41 by default (SYNC_SCHEDULE_BACKUPS).' },
  DATABASES: { description: 'Managed database clusters (MANAGED_DB); every 15 minutes by default (SYNC_SCHEDULE_DATABASES).' },
  KUBERNETES: { description: 'Kubernetes clusters (K8S_CLUSTER); every 15 minutes by default (SYNC_SCHEDULE_KUBERNETES).' },
  APPS: { description: 'App Platform apps (APP); every 15 minutes by default (SYNC_SCHEDULE_APPS).' },
  CDN_ENDPOINTS: { description: 'CDN endpoints (CDN_ENDPOINT); every 15 minutes by default (SYNC_SCHEDULE_CDN_ENDPOINTS).' },
  VPCS: { description: 'VPC networks (VPC); every 15 minutes by default (SYNC_SCHEDULE_VPCS).' },
  INVOICES: { description: 'Invoices: ingests and matches new ones; daily at 03:17 by default (SYNC_SCHEDULE_INVOICES).' },
} as const satisfies Record<SyncWorkerName, Described>;

/** What started a run: its schedule, `runSync`, or the start-up run of a scheduled worker. */
export const SYNC_TRIGGERS = dbEnum<Db.SyncTrigger>()(['SCHEDULE', 'MANUAL', 'STARTUP']);

export type SyncTrigger = (typeof SYNC_TRIGGERS)[number];

/** What the GraphQL `SyncTrigger` says of each value. */
export const SYNC_TRIGGER_DESCRIPTIONS = {
  SCHEDULE: { description: "The worker's schedule (SYNC_SCHEDULE_<WORKER>)." },
  MANUAL: { description: 'The runSync mutation.' },
  STARTUP: { description: 'The run of a scheduled worker when the server starts.' },
} as const satisfies Record<SyncTrigger, Described>;

/** A run's state: RUNNING until it ends, then SUCCEEDED or FAILED. */
export const SYNC_RUN_STATUSES = dbEnum<Db.SyncRunStatus>()(['RUNNING', 'SUCCEEDED', 'FAILED']);

export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** What the GraphQL `SyncRunStatus` says of each value. */
export const SYNC_RUN_STATUS_DESCRIPTIONS = {
  RUNNING: { description: 'Started and not yet finished.' },
  SUCCEEDED: { description: 'Finished without error (see complete for skipped items).' },
  FAILED: { description: 'Ended by an error (see error); lifecycles were not changed.' },
} as const satisfies Record<SyncRunStatus, Described>;

export const DEFAULT_SCHEDULES: Record<SyncWorkerName, string> = {
  DROPLETS: '*/15 * * * *',
  DOMAINS: '*/15 * * * *',
  PROJECTS: '*/15 * * * *',
  VOLUMES: '*/15 * * * *',
  SNAPSHOTS: '33 * * * *',
  FLOATING_IPS: '*/15 * * * *',
  FIREWALLS: '*/15 * * * *',
  LOAD_BALANCERS: '*/15 * * * *',
  BACKUPS: '41 * * * *',
  DATABASES: '*/15 * * * *',
  KUBERNETES: '*/15 * * * *',
  APPS: '*/15 * * * *',
  CDN_ENDPOINTS: '*/15 * * * *',
  VPCS: '*/15 * * * *',
  INVOICES: '17 3 * * *',
};

/**
 * The token scope each worker's listings need (DigitalOcean's custom scopes; a token without it
 * answers 403). A run refused for lack of it fails with an error that names the scope.
 */
export const WORKER_SCOPES: Record<SyncWorkerName, string> = {
  DROPLETS: 'droplet:read',
  DOMAINS: 'domain:read',
  PROJECTS: 'project:read',
  VOLUMES: 'block_storage:read',
  SNAPSHOTS: 'snapshot:read',
  FLOATING_IPS: 'reserved_ip:read',
  FIREWALLS: 'firewall:read',
  LOAD_BALANCERS: 'load_balancer:read',
  BACKUPS: 'image:read',
  DATABASES: 'database:read',
  KUBERNETES: 'kubernetes:read',
  APPS: 'app:read',
  CDN_ENDPOINTS: 'cdn:read',
  VPCS: 'vpc:read',
  INVOICES: 'billing:read',
};

/**
 * What must finish before a worker's start-up run, so that the first inventory writes every row
 * once with its final tenant: PROJECTS before every kind (memberships first), the kinds of
 * parents before their children (backups and snapshots take their parent's tenant), and the whole
 * inventory before the first invoice is matched. A prerequisite that does not run at start
 * (schedule `off` or `disabled`) is not waited for; one that fails is waited for all the same.
 */
export function startupPrerequisites(worker: SyncWorkerName): readonly SyncWorkerName[] {
  const kinds = SYNC_WORKERS.filter((w) => w !== 'PROJECTS' && w !== 'INVOICES');
  switch (worker) {
    case 'PROJECTS':
      return [];
    case 'BACKUPS':
      return ['PROJECTS', 'DROPLETS'];
    case 'SNAPSHOTS':
      return ['PROJECTS', 'DROPLETS', 'VOLUMES'];
    case 'INVOICES':
      return ['PROJECTS', ...kinds];
    default:
      return ['PROJECTS'];
  }
}
