/**
 * The sync workers and their default schedules (croner patterns, seconds optional).
 * Defaults follow the original system: most kinds every 15 minutes, snapshots hourly at
 * :33, backups hourly at :41, invoices daily. `SYNC_SCHEDULE_<WORKER>` overrides each.
 */
export const SYNC_WORKERS = [
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
] as const;

export type SyncWorkerName = (typeof SYNC_WORKERS)[number];

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
