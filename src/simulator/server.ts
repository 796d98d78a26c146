/**
 * The HTTP side of the simulated DO: routing, DO-style pagination, rate limits with a real
 * sliding window, DO's error bodies and headers, and faults.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../digitalocean/clock.js';
import type { TSimAccount } from './account.js';
import type { TFaultRegistry } from './faults.js';
import { type TSimInvoice, centsToDecimal, invoiceCsv, invoiceSummary } from './invoices.js';
import type { TSimImage, TSimPartial, TSimProjectResource, TSimSnapshot } from './shapes.js';

/** A JSON response body. */
type TBody = { [key: string]: unknown };

/** A non-JSON response (the invoice CSV). */
class TextBody {
  constructor(
    readonly text: string,
    readonly headers: Record<string, string>,
  ) {}
}

class NotFound extends Error {}

export type TSimLimits = {
  /** Requests per sliding minute per token. Default 250. */
  perMinute: number;
  /** Requests per sliding hour per token. Default 5000. */
  perHour: number;
  /** `/v2/cdn/endpoints*`: requests per window. Default 5 per 10 s. */
  cdnPerWindow: number;
  cdnWindowMs: number;
};

export const DEFAULT_SIM_LIMITS: TSimLimits = { perMinute: 250, perHour: 5000, cdnPerWindow: 5, cdnWindowMs: 10_000 };

export type TSimStats = {
  /** API requests received (scripting under `/_sim` excluded), 429s included. */
  requests: number;
  /** 429s sent. */
  rateLimited: number;
  /** API requests per path. */
  byPath: Record<string, number>;
  /** Most requests seen in any sliding minute (for pacing assertions). */
  maxPerMinute: number;
};

/** A sliding log of accepted requests. */
class Window {
  private times: number[] = [];
  private head = 0;
  private minuteHead = 0;
  private cdn: number[] = [];
  constructor(private readonly limits: TSimLimits) {}
  prune(now: number) {
    while (this.head < this.times.length && this.times[this.head]! <= now - 3_600_000) this.head++;
    if (this.minuteHead < this.head) this.minuteHead = this.head;
    while (this.minuteHead < this.times.length && this.times[this.minuteHead]! <= now - 60_000) this.minuteHead++;
    if (this.head > 4096 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.minuteHead -= this.head;
      this.head = 0;
    }
    this.cdn = this.cdn.filter((t) => t > now - this.limits.cdnWindowMs);
  }
  get hourCount() {
    return this.times.length - this.head;
  }
  get minuteCount() {
    return this.times.length - this.minuteHead;
  }
  /** Epoch seconds at which the oldest request of the hour expires. */
  resetSeconds(now: number) {
    const oldest = this.times[this.head];
    return Math.ceil((oldest === undefined ? now : oldest + 3_600_000) / 1000);
  }
  /** Returns null when allowed, else `{ retryAfter }` (seconds; null for the hourly limit). */
  check(now: number, cdn: boolean): { retryAfter: number | null } | null {
    if (this.minuteCount >= this.limits.perMinute) {
      const oldest = this.times[this.minuteHead]!;
      return { retryAfter: Math.max(1, Math.ceil((oldest + 60_000 - now) / 1000)) };
    }
    if (this.hourCount >= this.limits.perHour) return { retryAfter: null };
    if (cdn && this.cdn.length >= this.limits.cdnPerWindow) {
      return { retryAfter: Math.max(1, Math.ceil((this.cdn[0]! + this.limits.cdnWindowMs - now) / 1000)) };
    }
    return null;
  }
  record(now: number, cdn: boolean) {
    this.times.push(now);
    if (cdn) this.cdn.push(now);
  }
}

export const DO_ERRORS = {
  400: { id: 'bad_request', message: 'error parsing request body' },
  401: { id: 'unauthorized', message: 'Unable to authenticate you.' },
  403: { id: 'forbidden', message: 'You do not have permission to perform this action.' },
  404: { id: 'not_found', message: 'The resource you requested could not be found.' },
  409: { id: 'conflict', message: 'The request could not be completed due to a conflict.' },
  422: { id: 'unprocessable_entity', message: 'request payload validation failed' },
  429: { id: 'too_many_requests', message: 'API rate limit exceeded.' },
  500: { id: 'server_error', message: 'Unexpected server-side error' },
  503: { id: 'service_unavailable', message: 'Service is currently unavailable.' },
} as const satisfies Record<number, { id: string; message: string }>;

const DO_ERROR_BY_STATUS: ReadonlyMap<number, { id: string; message: string }> = new Map(
  Object.entries(DO_ERRORS).map(([status, body]) => [Number(status), body]),
);

/** The read scope DO asks of a token for each listing path (its API reference, "Required scopes"). */
const SCOPES: [RegExp, string][] = [
  [/^\/v2\/droplets\/[^/]+\/backups$/, 'image:read'],
  [/^\/v2\/droplets\/[^/]+\/snapshots$/, 'image:read'],
  [/^\/v2\/droplets(\/|$)/, 'droplet:read'],
  [/^\/v2\/images(\/|$)/, 'image:read'],
  [/^\/v2\/volumes\/[^/]+\/snapshots$/, 'block_storage_snapshot:read'],
  [/^\/v2\/snapshots(\/|$)/, 'snapshot:read'],
  [/^\/v2\/volumes(\/|$)/, 'block_storage:read'],
  [/^\/v2\/domains(\/|$)/, 'domain:read'],
  [/^\/v2\/(reserved|floating)_ips(\/|$)/, 'reserved_ip:read'],
  [/^\/v2\/firewalls(\/|$)/, 'firewall:read'],
  [/^\/v2\/load_balancers(\/|$)/, 'load_balancer:read'],
  [/^\/v2\/databases(\/|$)/, 'database:read'],
  [/^\/v2\/kubernetes(\/|$)/, 'kubernetes:read'],
  [/^\/v2\/apps(\/|$)/, 'app:read'],
  [/^\/v2\/cdn(\/|$)/, 'cdn:read'],
  [/^\/v2\/vpcs(\/|$)/, 'vpc:read'],
  [/^\/v2\/projects(\/|$)/, 'project:read'],
  [/^\/v2\/customers\/my\//, 'billing:read'],
];

/** The scope a request to `pathname` needs, or null. */
export function scopeOfPath(pathname: string): string | null {
  return SCOPES.find(([re]) => re.test(pathname))?.[1] ?? null;
}

export type THandlerContext = {
  account: () => TSimAccount;
  invoices: () => TSimInvoice[];
  faults: TFaultRegistry;
  stats: TSimStats;
  limits: TSimLimits;
  clock: Clock;
  latencyMs: () => number;
  baseUrl: () => string;
  /** `/_sim/...` scripting over HTTP. */
  script: (op: string, args: TSimPartial) => unknown;
};

type TListOpts = { paginated?: boolean; extra?: TBody };

/** Creates the request handler. */
export function createHandler(ctx: THandlerContext) {
  const windows = new Map<string, Window>();
  const windowOf = (token: string) => {
    let w = windows.get(token);
    if (!w) {
      w = new Window(ctx.limits);
      windows.set(token, w);
    }
    return w;
  };
  // Tracked separately from the per-token windows: the peak is what pacing tests assert on.
  const peak: number[] = [];
  let peakHead = 0;

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function listBody(url: URL, envelope: string, items: readonly unknown[], opts: TListOpts = {}): TBody {
    if (opts.paginated === false) return { [envelope]: items, ...opts.extra };
    const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
    const perPage = Math.min(200, Math.max(1, Number.parseInt(url.searchParams.get('per_page') ?? '20', 10) || 20));
    const total = items.length;
    const last = Math.max(1, Math.ceil(total / perPage));
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const link = (p: number) => {
      const u = new URL(url.pathname + url.search, ctx.baseUrl());
      u.searchParams.set('page', String(p));
      u.searchParams.set('per_page', String(perPage));
      return u.toString();
    };
    const pages: Record<string, string> = {};
    if (page > 1) {
      pages.first = link(1);
      pages.prev = link(Math.min(page - 1, last));
    }
    if (page < last) {
      pages.next = link(page + 1);
      pages.last = link(last);
    }
    const body: TBody = { [envelope]: slice, ...opts.extra };
    if (Object.keys(pages).length > 0) body.links = { pages };
    else {
      // DO sends every one of these for a single page; clients must accept them all.
      const style = envelope.length % 3;
      if (style === 1) body.links = {};
      else if (style === 2) body.links = { pages: {} };
    }
    body.meta = { total };
    return body;
  }

  function notFound(): never {
    throw new NotFound('not found');
  }

  function route(url: URL): TBody | TextBody {
    const acc = ctx.account();
    const p = url.pathname.replace(/\/+$/, '');
    const q = url.searchParams;
    let m: RegExpMatchArray | null;

    if (p === '/v2/droplets') {
      let list = q.get('type') === 'gpus' ? acc.gpuDroplets : acc.droplets;
      const tag = q.get('tag_name');
      if (tag) list = list.filter((d) => d.tags.includes(tag));
      const name = q.get('name');
      if (name) list = list.filter((d) => String(d.name).toLowerCase() === name.toLowerCase());
      return listBody(url, 'droplets', list);
    }
    if ((m = p.match(/^\/v2\/droplets\/(\d+)(?:\/(backups|snapshots))?$/))) {
      const id = Number(m[1]);
      const d = acc.droplets.find((x) => x.id === id) ?? acc.gpuDroplets.find((x) => x.id === id);
      if (!d) notFound();
      if (!m[2]) return { droplet: d };
      if (m[2] === 'backups') return listBody(url, 'backups', acc.backups.get(id) ?? []);
      return listBody(url, 'snapshots', acc.snapshots.filter((s) => s.resource_type === 'droplet' && s.resource_id === String(id)).map(snapshotAsImage));
    }
    if (p === '/v2/images') {
      const priv: TSimImage[] = [];
      for (const list of acc.backups.values()) priv.push(...list);
      for (const s of acc.snapshots) if (s.resource_type === 'droplet') priv.push(snapshotAsImage(s));
      priv.sort((a, b) => a.id - b.id);
      return listBody(url, 'images', q.get('private') === 'true' ? priv : [...priv]);
    }
    if (p === '/v2/snapshots') {
      const rt = q.get('resource_type');
      return listBody(url, 'snapshots', rt ? acc.snapshots.filter((s) => s.resource_type === rt) : acc.snapshots);
    }
    if ((m = p.match(/^\/v2\/volumes\/([^/]+)\/snapshots$/))) {
      const id = m[1];
      if (!acc.volumes.some((v) => v.id === id)) notFound();
      return listBody(
        url,
        'snapshots',
        acc.snapshots.filter((s) => s.resource_type === 'volume' && s.resource_id === id),
      );
    }
    if (p === '/v2/volumes') {
      let list = acc.volumes;
      const name = q.get('name');
      if (name) list = list.filter((v) => v.name === name);
      const region = q.get('region');
      if (region) list = list.filter((v) => v.region.slug === region);
      return listBody(url, 'volumes', list);
    }
    if (p === '/v2/domains') return listBody(url, 'domains', acc.domains);
    if (p === '/v2/reserved_ips') return listBody(url, 'reserved_ips', acc.reservedIps);
    if (p === '/v2/floating_ips') return listBody(url, 'floating_ips', acc.reservedIps);
    if (p === '/v2/firewalls') return listBody(url, 'firewalls', acc.firewalls);
    if (p === '/v2/load_balancers') return listBody(url, 'load_balancers', acc.loadBalancers);
    // Not paginated: DO ignores page parameters and sends neither links nor meta.
    if (p === '/v2/databases') return listBody(url, 'databases', acc.databases, { paginated: false });
    if (p === '/v2/kubernetes/clusters') return listBody(url, 'kubernetes_clusters', acc.kubernetes);
    if (p === '/v2/apps') {
      const withProjects = q.get('with_projects') === 'true';
      const list = acc.apps.map((a) => {
        if (!withProjects) return a;
        const mem = acc.membership.get(`do:app:${a.id}`);
        return { ...a, project_id: mem?.projectId ?? '' };
      });
      return listBody(url, 'apps', list);
    }
    if (p === '/v2/cdn/endpoints') return listBody(url, 'endpoints', acc.cdnEndpoints);
    if (p === '/v2/vpcs') return listBody(url, 'vpcs', acc.vpcs);
    if (p === '/v2/projects') return listBody(url, 'projects', acc.projects);
    if ((m = p.match(/^\/v2\/projects\/([^/]+)(\/resources)?$/))) {
      const project = m[1] === 'default' ? acc.projects.find((x) => x.is_default === true) : acc.projects.find((x) => x.id === m![1]);
      if (!project) notFound();
      if (!m[2]) return { project };
      const base = ctx.baseUrl();
      const resources: TSimProjectResource[] = [];
      for (const [urn, mem] of acc.membership) {
        if (mem.projectId !== project.id) continue;
        resources.push({ urn, assigned_at: mem.assignedAt, links: { self: mem.selfUrl ?? (mem.selfPath ? `${base}${mem.selfPath}` : '') }, status: 'ok' });
      }
      return listBody(url, 'resources', resources);
    }
    if (p === '/v2/customers/my/invoices') {
      const invs = ctx.invoices();
      const closed = invs.filter((i) => !i.preview).reverse();
      const preview = invs.find((i) => i.preview);
      const row = (i: TSimInvoice) => ({ invoice_uuid: i.uuid, invoice_id: i.invoiceId, amount: centsToDecimal(i.amountCents), invoice_period: i.period });
      return listBody(url, 'invoices', closed.map(row), preview ? { extra: { invoice_preview: { ...row(preview), updated_at: preview.updatedAt } } } : {});
    }
    if ((m = p.match(/^\/v2\/customers\/my\/invoices\/([^/]+)(?:\/(csv|summary|pdf))?$/))) {
      const invs = ctx.invoices();
      const inv = m[1] === 'preview' ? invs.find((i) => i.preview) : invs.find((i) => i.uuid === m![1]);
      if (!inv) notFound();
      if (m[2] === 'csv') {
        const [y, mo] = inv.period.split('-');
        const month = new Date(Date.UTC(Number(y), Number(mo) - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
        return new TextBody(invoiceCsv(inv), {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="DigitalOcean Invoice ${y} ${month} (${inv.invoiceId}).csv"`,
        });
      }
      if (m[2] === 'summary') return invoiceSummary(inv);
      if (m[2] === 'pdf') notFound();
      return listBody(url, 'invoice_items', inv.items);
    }
    notFound();
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    if (url.pathname.startsWith('/_sim/')) {
      await handleScript(req, res, url);
      return;
    }
    const requestId = randomUUID();
    ctx.stats.requests++;
    ctx.stats.byPath[url.pathname] = (ctx.stats.byPath[url.pathname] ?? 0) + 1;

    const auth = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S.*)$/i.exec(auth)?.[1]?.trim();
    if (!token || ctx.faults.tokenRevoked()) {
      send(res, 401, DO_ERRORS[401], { 'x-request-id': requestId });
      return;
    }
    if (req.method !== 'GET') {
      send(res, 405, { id: 'method_not_allowed', message: 'Only GET is simulated.' }, { 'x-request-id': requestId });
      return;
    }

    const now = ctx.clock.now();
    const w = windowOf(token);
    w.prune(now);
    const isCdn = url.pathname.startsWith('/v2/cdn/endpoints');
    const burst = ctx.faults.takeBurst();
    const limited = burst !== null ? { retryAfter: burst } : w.check(now, isCdn);
    const rlHeaders = (remaining: number) => ({
      'ratelimit-limit': String(ctx.limits.perHour),
      'ratelimit-remaining': String(Math.max(0, remaining)),
      'ratelimit-reset': String(w.resetSeconds(now)),
      'x-request-id': requestId,
    });
    if (limited) {
      ctx.stats.rateLimited++;
      const h: Record<string, string> = rlHeaders(0);
      if (limited.retryAfter !== null) h['retry-after'] = String(limited.retryAfter);
      send(res, 429, DO_ERRORS[429], h);
      return;
    }
    w.record(now, isCdn);
    peak.push(now);
    while (peakHead < peak.length && peak[peakHead]! <= now - 60_000) peakHead++;
    ctx.stats.maxPerMinute = Math.max(ctx.stats.maxPerMinute, peak.length - peakHead);
    const headers = rlHeaders(ctx.limits.perHour - w.hourCount);

    const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '1', 10) || 1);
    const delay = ctx.latencyMs() + ctx.faults.takeDelay(url.pathname, page);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));

    const fault = ctx.faults.take(url.pathname, page);
    if (fault?.type === 'RESET') {
      req.socket.destroy();
      return;
    }
    if (ctx.faults.denied(scopeOfPath(url.pathname.replace(/\/+$/, '')))) {
      send(res, 403, { ...DO_ERRORS[403], request_id: requestId }, headers);
      return;
    }
    if (fault?.type === 'STATUS') {
      const status = fault.status ?? 500;
      const body = DO_ERROR_BY_STATUS.get(status) ?? { id: 'example_error', message: 'some error message' };
      send(res, status, { ...body, request_id: requestId }, headers);
      return;
    }

    let out: ReturnType<typeof route>;
    try {
      out = route(url);
    } catch (e) {
      const status = e instanceof NotFound ? 404 : 500;
      send(res, status, { ...DO_ERRORS[status], request_id: requestId }, headers);
      return;
    }
    if (out instanceof TextBody) {
      res.writeHead(200, { ...headers, ...out.headers, 'content-length': Buffer.byteLength(out.text) });
      res.end(out.text);
      return;
    }
    let text = JSON.stringify(out);
    if (fault?.type === 'MALFORMED_JSON') text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    send(res, 200, text, headers);
  };

  async function handleScript(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c);
    let args: TSimPartial = {};
    try {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw.trim()) {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        args = { ...parsed };
      }
      for (const [k, v] of url.searchParams) args[k] ??= v;
    } catch {
      send(res, 400, DO_ERRORS[400], {});
      return;
    }
    try {
      const result = ctx.script(url.pathname.slice('/_sim/'.length), args);
      send(res, 200, { ok: true, result: result ?? null }, {});
    } catch (e) {
      send(res, 422, { id: 'unprocessable_entity', message: e instanceof Error ? e.message : String(e) }, {});
    }
  }
}

/** A droplet snapshot as DO's image endpoints show it: integer id, `type: "snapshot"`. */
export function snapshotAsImage(s: TSimSnapshot): TSimImage {
  return {
    id: Number(s.id),
    name: s.name,
    distribution: 'Ubuntu',
    slug: null,
    public: false,
    regions: s.regions,
    created_at: s.created_at,
    min_disk_size: s.min_disk_size,
    size_gigabytes: s.size_gigabytes,
    type: 'snapshot',
    description: '',
    tags: s.tags ?? [],
    status: 'available',
    error_message: '',
  };
}
