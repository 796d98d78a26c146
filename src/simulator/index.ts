/**
 * A simulated DigitalOcean API on loopback, for tests, benchmarks and the no-token start:
 * a generated account (deterministic by seed) served in DO's shapes, DO's pagination, rate
 * limits and error bodies, and scripting (state changes and faults) in-process or over HTTP
 * under `/_sim/...`.
 */
import { type Server, createServer } from 'node:http';
import { type Clock, systemClock } from '../digitalocean/clock.js';
import {
  DEFAULT_SIM_SIZE,
  SimKind,
  type TSimAccount,
  type TSimItem,
  type TSimKind,
  type TSimSize,
  assign,
  defaultProjectId,
  generateAccount,
  iso,
  makeDroplet,
  makeSnapshot,
  makeVolume,
  sizeOfOne,
  urnOf,
} from './account.js';
import { type SimFaults, createFaultRegistry } from './faults.js';
import { type TSimInvoice, type TSimLineTruth, generateInvoices } from './invoices.js';
import { DEFAULT_SIM_LIMITS, type TSimLimits, type TSimStats, createHandler } from './server.js';
import type { TSimAnyItem, TSimImage, TSimPartial } from './shapes.js';

export type SimulatorOptions = {
  /** Default 1. */
  seed?: number;
  /** Resource counts; kinds not given take the small default account's counts. */
  size?: Partial<TSimSize>;
  /** Real-time latency added to every API response. Default 0. */
  latencyMs?: number;
  /** DO's limits by default (250/min, 5000/h, CDN 5 per 10 s). */
  limits?: Partial<TSimLimits>;
  /** Time source of the rate windows (share a scaled clock with the client in tests). */
  clock?: Clock;
  /** Port to listen on (127.0.0.1). Default 0 (any free port). */
  port?: number;
};

export interface SimScript {
  setDropletStatus(id: number | string, status: string): void;
  /** Removes a resource as DO would (returns false if it did not exist). */
  destroy(kind: TSimKind, providerId: string | number): boolean;
  /** Adds a resource of `kind` (fields of `partial` override the generated ones); returns it. */
  create(kind: TSimKind, partial?: TSimPartial): TSimAnyItem;
  faults: SimFaults;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>`; valid after `start()`. */
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The mutable account. */
  readonly state: TSimAccount;
  script: SimScript;
  readonly stats: TSimStats;
  /** Invoices of the account (two closed months and the preview). */
  invoices(): TSimInvoice[];
  /** Ground truth per line index of an invoice (`preview` accepted). */
  invoiceTruth(invoiceUuid: string): TSimLineTruth[];
  /** Sets the latency of every later response. */
  setLatency(ms: number): void;
  resetStats(): void;
}

function requireFound<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`${what} not found`);
  return v;
}

const isSimKind = (v: string): v is TSimKind => Object.hasOwn(SimKind, v);

function simKind(v: unknown): TSimKind {
  const kind = String(v);
  if (!isSimKind(kind)) throw new Error(`kind ${kind} not found`);
  return kind;
}

const isRecord = (v: unknown): v is TSimPartial => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createSimulator(opts: SimulatorOptions = {}): Simulator {
  const seed = opts.seed ?? 1;
  const size: TSimSize = { ...DEFAULT_SIM_SIZE, ...opts.size };
  const account = generateAccount({ seed, size });
  const invoices = generateInvoices(account);
  const limits: TSimLimits = { ...DEFAULT_SIM_LIMITS, ...opts.limits };
  const clock = opts.clock ?? systemClock;
  const faults = createFaultRegistry();
  const stats: TSimStats = { requests: 0, rateLimited: 0, byPath: {}, maxPerMinute: 0 };
  let latency = opts.latencyMs ?? 0;
  let url = '';
  let server: Server | null = null;
  // Templates for kinds the account may hold none of (script.create on an empty account).
  let templates: TSimAccount | null = null;
  const templateOf = <T>(pick: (a: TSimAccount) => T[]): T => {
    const own = pick(account)[0];
    if (own) return structuredClone(own);
    templates ??= generateAccount({ seed: seed + 1, size: sizeOfOne(), team: account.team });
    return structuredClone(pick(templates)[0]!);
  };

  const listOf: Partial<Record<TSimKind, () => TSimAnyItem[]>> = {
    volume: () => account.volumes,
    dns_zone: () => account.domains,
    floating_ip: () => account.reservedIps,
    firewall: () => account.firewalls,
    load_balancer: () => account.loadBalancers,
    managed_db: () => account.databases,
    k8s_cluster: () => account.kubernetes,
    app: () => account.apps,
    cdn_endpoint: () => account.cdnEndpoints,
    vpc: () => account.vpcs,
    project: () => account.projects,
    snapshot: () => account.snapshots,
  };
  const keyOf = (kind: TSimKind, item: TSimAnyItem): string =>
    kind === 'dns_zone' ? String(item.name) : kind === 'floating_ip' ? String(item.ip) : String(item.id);

  /** Kinds a new item of which is put in the default project. */
  const ASSIGNED_ON_CREATE: ReadonlySet<TSimKind> = new Set(['dns_zone', 'floating_ip', 'load_balancer', 'managed_db', 'k8s_cluster', 'app']);

  const script: SimScript = {
    setDropletStatus(id, status) {
      const d = requireFound(
        [...account.droplets, ...account.gpuDroplets].find((x) => String(x.id) === String(id)),
        `droplet ${String(id)}`,
      );
      d.status = status;
    },
    destroy(kind, providerId) {
      const key = String(providerId);
      if (kind === 'droplet') {
        for (const list of [account.droplets, account.gpuDroplets]) {
          const i = list.findIndex((d) => String(d.id) === key);
          if (i < 0) continue;
          const [d] = list.splice(i, 1);
          const id = d!.id;
          account.backups.delete(id);
          account.membership.delete(`do:droplet:${id}`);
          for (const v of account.volumes) {
            const attached: number[] = v.droplet_ids ?? [];
            v.droplet_ids = attached.filter((x) => x !== id);
          }
          for (const ip of account.reservedIps) if (ip.droplet?.id === id) ip.droplet = null;
          return true;
        }
        return false;
      }
      if (kind === 'droplet_backup') {
        for (const [dropletId, list] of account.backups) {
          const i = list.findIndex((b) => String(b.id) === key);
          if (i < 0) continue;
          list.splice(i, 1);
          const d = account.droplets.find((x) => x.id === dropletId);
          if (d) d.backup_ids = list.map((b): number => b.id);
          return true;
        }
        return false;
      }
      if (kind === 'spaces_bucket') {
        const i = account.spacesBuckets.findIndex((b) => b.name === key);
        if (i < 0) return false;
        account.spacesBuckets.splice(i, 1);
        account.membership.delete(`do:space:${key}`);
        return true;
      }
      const list = requireFound(listOf[kind], `kind ${kind}`)();
      const i = list.findIndex((x) => keyOf(kind, x) === key);
      if (i < 0) return false;
      const [item] = list.splice(i, 1);
      account.membership.delete(urnOf(kind, item!).urn);
      if (kind === 'floating_ip') account.membership.delete(`do:reservedip:${key}`);
      if (kind === 'snapshot' && item!.resource_type === 'droplet') {
        const d = account.droplets.find((x) => String(x.id) === item!.resource_id);
        if (d) {
          const ids: number[] = d.snapshot_ids;
          d.snapshot_ids = ids.filter((x) => String(x) !== key);
        }
      }
      return true;
    },
    create(kind, partial = {}) {
      const rng = account.rng;
      const project = defaultProjectId(account);
      /** A copy of the kind's first item, edited, then overridden by `partial`, added to the account. */
      const added = <T extends TSimItem>(pick: (a: TSimAccount) => T[], edit: (item: T) => void): T => {
        const item = templateOf(pick);
        edit(item);
        if ('created_at' in item) Object.assign(item, { created_at: iso(clock.now()) });
        Object.assign(item, partial);
        pick(account).push(item);
        if (ASSIGNED_ON_CREATE.has(kind)) assign(account, kind, item, project);
        return item;
      };
      const renamed = (item: TSimItem) => Object.assign(item, { id: rng.uuid(), name: `${kind.replace(/_/g, '-')}-${rng.hex(4)}` });
      switch (kind) {
        case 'droplet': {
          const item = { ...makeDroplet(account, { status: 'new' }), ...partial };
          (item.type === 'gpus' ? account.gpuDroplets : account.droplets).push(item);
          delete item.type;
          assign(account, 'droplet', item, project);
          return item;
        }
        case 'droplet_backup': {
          const d = requireFound(
            account.droplets.find((x) => String(x.id) === String(partial.droplet_id)),
            `droplet ${String(partial.droplet_id)}`,
          );
          account.seq.image += 7;
          const item: TSimImage = {
            id: account.seq.image,
            name: `${d.name}- ${iso(account.now).slice(0, 10)}`,
            distribution: 'Ubuntu',
            slug: null,
            public: false,
            regions: [d.region.slug],
            created_at: iso(account.now),
            min_disk_size: d.disk,
            size_gigabytes: 2.5,
            type: 'backup',
            description: '',
            tags: [],
            status: 'available',
            error_message: '',
          };
          const list = account.backups.get(d.id) ?? [];
          list.push(item);
          account.backups.set(d.id, list);
          d.backup_ids = list.map((b): number => b.id);
          return item;
        }
        case 'snapshot': {
          const volume = partial.resource_type === 'volume';
          const parentIn = <T extends { id: unknown }>(list: T[]): T =>
            requireFound(partial.resource_id !== undefined ? list.find((x) => String(x.id) === String(partial.resource_id)) : list[0], 'snapshot parent');
          const droplet = volume ? null : parentIn(account.droplets);
          const parent = droplet ?? parentIn(account.volumes);
          const item = {
            ...makeSnapshot(account, {
              type: volume ? 'volume' : 'droplet',
              id: String(parent.id),
              name: String(parent.name),
              region: parent.region.slug,
              disk: Number(volume ? parent.size_gigabytes : parent.disk),
            }),
            ...partial,
          };
          account.snapshots.push(item);
          droplet?.snapshot_ids.push(Number(item.id));
          return item;
        }
        case 'volume': {
          const item = { ...makeVolume(account), ...partial };
          account.volumes.push(item);
          assign(account, 'volume', item, project);
          return item;
        }
        case 'spaces_bucket': {
          const b = { name: String(partial.name ?? `${account.team.bucketPrefix}bucket-new-${rng.hex(6)}`), region: String(partial.region ?? 'nyc3') };
          account.spacesBuckets.push(b);
          assign(account, 'spaces_bucket', b, project);
          return b;
        }
        case 'dns_zone':
          return added(
            (a) => a.domains,
            (item) => {
              item.name = `new-${rng.hex(6)}.example.com`;
            },
          );
        case 'floating_ip':
          return added(
            (a) => a.reservedIps,
            (item) => {
              item.ip = `${account.team.createdIpBlock}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
              item.droplet = null;
            },
          );
        case 'app':
          return added(
            (a) => a.apps,
            (item) => {
              renamed(item);
              item.spec = { ...item.spec, name: String(item.name) };
            },
          );
        case 'vpc':
          return added(
            (a) => a.vpcs,
            (item) => {
              renamed(item);
              item.urn = `do:vpc:${item.id}`;
            },
          );
        case 'project':
          return added(
            (a) => a.projects,
            (item) => {
              renamed(item);
              item.is_default = false;
            },
          );
        case 'firewall':
          return added((a) => a.firewalls, renamed);
        case 'load_balancer':
          return added((a) => a.loadBalancers, renamed);
        case 'managed_db':
          return added((a) => a.databases, renamed);
        case 'k8s_cluster':
          return added((a) => a.kubernetes, renamed);
        case 'cdn_endpoint':
          return added((a) => a.cdnEndpoints, renamed);
      }
    },
    faults,
  };

  const handler = createHandler({
    account: () => account,
    invoices: () => invoices,
    faults,
    stats,
    limits,
    clock,
    latencyMs: () => latency,
    baseUrl: () => url,
    script: (op, args) => runScript(op, args),
  });

  function runScript(op: string, a: TSimPartial): unknown {
    const n = (v: unknown, d?: number) => (v === undefined ? d : Number(v));
    switch (op) {
      case 'droplets/status':
      case 'set-droplet-status':
        return script.setDropletStatus(String(a.id), String(a.status));
      case 'destroy':
        return script.destroy(simKind(a.kind), String(a.providerId));
      case 'create':
        return script.create(simKind(a.kind), isRecord(a.partial) ? a.partial : {});
      case 'faults/rate-limit-burst':
        return faults.rateLimitBurst(n(a.n, 1)!, n(a.retryAfter));
      case 'faults/fail-page':
        return faults.failPage(String(a.path), n(a.page, 1)!, n(a.status, 500)!, n(a.times));
      case 'faults/malformed-json':
        return faults.malformedJson(String(a.path), n(a.page, 1)!, n(a.times));
      case 'faults/slow':
        return faults.slow(String(a.path), n(a.ms, 1000)!, n(a.times));
      case 'faults/reset-connection':
        return faults.resetConnection(String(a.path), n(a.page, 1)!, n(a.times));
      case 'faults/deny-scope':
        return faults.denyScope(String(a.scope));
      case 'faults/revoke-token':
        return faults.revokeToken();
      case 'faults/clear':
        return faults.clear();
      case 'latency':
        latency = n(a.ms, 0)!;
        return latency;
      case 'stats':
        return stats;
      default:
        throw new Error(`unknown scripting operation ${JSON.stringify(op)}`);
    }
  }

  return {
    get url() {
      return url;
    },
    async start() {
      if (server) return;
      const s = createServer((req, res) => {
        handler(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'server_error', message: 'Unexpected server-side error' }));
        });
      });
      s.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
      });
      server = s;
      const address = s.address();
      if (address === null || typeof address === 'string') throw new Error('simulator: no TCP address');
      url = `http://127.0.0.1:${address.port}`;
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = null;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    },
    state: account,
    script,
    get stats() {
      return stats;
    },
    invoices: () => invoices,
    invoiceTruth(uuid) {
      const inv = uuid === 'preview' ? invoices.find((i) => i.preview) : invoices.find((i) => i.uuid === uuid);
      return requireFound(inv, `invoice ${uuid}`).truth;
    },
    setLatency(ms) {
      latency = ms;
    },
    resetStats() {
      stats.requests = 0;
      stats.rateLimited = 0;
      stats.byPath = {};
      stats.maxPerMinute = 0;
    },
  };
}

export type { TSimKind, TSimSize, TSimAccount, TSimInvoice, TSimLineTruth, TSimLimits, TSimStats };
