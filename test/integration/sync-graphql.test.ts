import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_WORKERS } from '../../src/domain/workers.js';
import { hashApiKey } from '../../src/auth.js';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';
import { testDatabaseTargets } from '../helpers/db.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const gid = (type: string, id: string | number) => Buffer.from(`${type}:${id}`).toString('base64');

/** Every worker on a yearly schedule (never during a test), KUBERNETES disabled. */
const SCHEDULES = Object.fromEntries(SYNC_WORKERS.map((w) => [`SYNC_SCHEDULE_${w}`, w === 'KUBERNETES' ? 'disabled' : '0 0 1 1 *']));

const RUN_SYNC = `mutation($worker: SyncWorker!) { runSync(input: { worker: $worker }) {
  syncRun { id worker status trigger fetched created updated unchanged finishedAt error }
  userErrors { code message path } } }`;

const REASSIGN = `mutation($r: ID!, $t: ID, $why: String) { reassignResourceTenant(input: { resourceId: $r, tenantId: $t, reason: $why }) {
  resource { id tenantSource tenant { slug } } userErrors { code message path } } }`;

const ASSIGN_PROJECT = `mutation($p: ID!, $t: ID, $why: String) { assignProjectTenant(input: { projectId: $p, tenantId: $t, reason: $why }) {
  project { id tenant { slug } } userErrors { code message path } } }`;

describe.each(testDatabaseTargets())('sync and attribution over GraphQL on $name', (target) => {
  let sim: Simulator;
  let t: TestApp;

  beforeAll(async () => {
    sim = createSimulator();
    await sim.start();
    t = await startTestApp(await target.open(), SCHEDULES, { sync: { runOnStart: false }, doClient: { baseUrl: sim.url, token: 'x' } });
  });
  afterAll(async () => {
    await t?.stop();
    await t?.db.close();
    await sim?.stop();
  });

  const runSync = async (worker: string) => {
    const r = await t.gql(RUN_SYNC, { worker });
    expect(r.errors).toBeUndefined();
    return r.data.runSync;
  };

  it('runSync waits for the run and returns it finished; syncRuns lists newest first; syncStatus shows last runs', async () => {
    const projects = await runSync('PROJECTS');
    expect(projects.userErrors).toEqual([]);
    expect(projects.syncRun).toMatchObject({ worker: 'PROJECTS', status: 'SUCCEEDED', trigger: 'MANUAL', error: null });
    const droplets = await runSync('DROPLETS');
    expect(droplets.syncRun).toMatchObject({ worker: 'DROPLETS', status: 'SUCCEEDED', created: sim.state.droplets.length + sim.state.gpuDroplets.length });
    expect(droplets.syncRun.finishedAt).not.toBeNull();

    const r = await t.gql(`{
      all: syncRuns(first: 10) { totalCount edges { node { id worker } } }
      droplets: syncRuns(worker: DROPLETS) { totalCount edges { node { id } } }
      syncStatus { worker enabled running schedule lastRun { id } lastSuccess { id status } }
    }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.all.edges.map((e: any) => e.node.worker)).toEqual(['DROPLETS', 'PROJECTS']);
    expect(r.data.droplets).toEqual({ totalCount: 1, edges: [{ node: { id: droplets.syncRun.id } }] });
    const status = Object.fromEntries(r.data.syncStatus.map((s: any) => [s.worker, s]));
    expect(Object.keys(status).sort()).toEqual([...SYNC_WORKERS].sort());
    expect(status.DROPLETS).toMatchObject({ enabled: true, running: false, schedule: '0 0 1 1 *', lastRun: { id: droplets.syncRun.id } });
    expect(status.DROPLETS.lastSuccess).toEqual({ id: droplets.syncRun.id, status: 'SUCCEEDED' });
    expect(status.KUBERNETES).toMatchObject({ enabled: false, schedule: 'disabled', lastRun: null, lastSuccess: null });
  });

  it('stores CREATED events oldest first in resourceEvents and newest first in Resource.events, each with its sync run', async () => {
    const r = await t.gql(`{
      resourceEvents(first: 100, filter: { types: [CREATED], kinds: [DROPLET] }) { totalCount edges { node { sequence type kind to syncRun { worker } resource { kind } } } }
    }`);
    expect(r.errors).toBeUndefined();
    const events = r.data.resourceEvents.edges.map((e: any) => e.node);
    expect(r.data.resourceEvents.totalCount).toBe(sim.state.droplets.length + sim.state.gpuDroplets.length);
    expect(events.every((e: any) => e.type === 'CREATED' && e.kind === 'DROPLET' && e.resource.kind === 'DROPLET' && e.syncRun.worker === 'DROPLETS')).toBe(
      true,
    );
    const sequences = events.map((e: any) => e.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);

    const droplet = sim.state.droplets[0]!;
    sim.script.setDropletStatus(droplet.id as number, droplet.status === 'off' ? 'active' : 'off');
    await runSync('DROPLETS');
    const own = await t.gql(`query($urn: String!) { resourceByUrn(urn: $urn) { events(first: 10) { totalCount edges { node { type from to } } } } }`, {
      urn: `do:droplet:${droplet.id}`,
    });
    expect(own.errors).toBeUndefined();
    expect(own.data.resourceByUrn.events.edges.map((e: any) => e.node.type)).toEqual(['STATUS_CHANGED', 'CREATED']);
  });

  it('a tenant-scoped viewer key sees only the events of its tenant, and cannot run a sync', async () => {
    const tenant = await t.db.prisma.tenant.create({ data: { slug: 'scoped-viewer', name: 'Scoped' } });
    const resource = await t.db.prisma.resource.findFirstOrThrow({ where: { kind: 'droplet' } });
    const changed = await t.gql(REASSIGN, { r: gid('Resource', resource.id), t: gid('Tenant', tenant.id), why: 'scoped test' });
    expect(changed.data.reassignResourceTenant.userErrors).toEqual([]);
    await t.db.prisma.apiKey.create({ data: { keyHash: hashApiKey('viewer-key'), role: 'VIEWER', tenantId: tenant.id, name: 'scoped' } });
    // Keys are checked only when ADMIN_API_KEY is set; the same DigitalOcean URL makes it the same account.
    const keyed = await startTestApp(t.db, { ADMIN_API_KEY: 'admin-key-for-tests' }, { doClient: { baseUrl: sim.url, token: 'x' } });
    try {
      const headers = { authorization: 'Bearer viewer-key' };
      const r = await keyed.gql(`{ resourceEvents(first: 100) { totalCount edges { node { type to resource { id } } } } }`, undefined, headers);
      expect(r.errors).toBeUndefined();
      expect(r.data.resourceEvents.totalCount).toBe(1);
      expect(r.data.resourceEvents.edges[0].node).toEqual({ type: 'TENANT_CHANGED', to: 'scoped-viewer', resource: { id: gid('Resource', resource.id) } });
      const run = await keyed.gql(RUN_SYNC, { worker: 'DROPLETS' }, headers);
      expect(run.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await keyed.stop();
    }
    const undo = await t.gql(REASSIGN, { r: gid('Resource', resource.id), t: null });
    expect(undo.data.reassignResourceTenant.userErrors).toEqual([]);
  });

  it('a manual override survives the next PROJECTS sweep; removing it makes the resource and its backups follow the project again', async () => {
    await runSync('BACKUPS');
    const backup = await t.db.prisma.resource.findFirstOrThrow({ where: { kind: 'droplet_backup', parentUrn: { not: null } } });
    const droplet = await t.db.prisma.resource.findFirstOrThrow({ where: { urn: backup.parentUrn!, projectId: { not: null } } });
    const [a, b] = (await Promise.all(
      ['team-a', 'team-b'].map(async (slug) => {
        const r = await t.gql(`mutation($s: String!) { createTenant(input: { slug: $s, name: $s }) { tenant { id } userErrors { code } } }`, { s: slug });
        return Buffer.from(r.data.createTenant.tenant.id as string, 'base64')
          .toString()
          .split(':')[1]!;
      }),
    )) as [string, string];
    const project = gid('Project', droplet.projectId!);
    const since = (await t.db.prisma.resourceEvent.aggregate({ _max: { sequence: true } }))._max.sequence ?? 0;

    const assigned = await t.gql(ASSIGN_PROJECT, { p: project, t: gid('Tenant', a), why: 'contract signed' });
    expect(assigned.data.assignProjectTenant).toEqual({ project: { id: project, tenant: { slug: 'team-a' } }, userErrors: [] });
    const overridden = await t.gql(REASSIGN, { r: gid('Resource', droplet.id), t: gid('Tenant', b), why: 'billed to B' });
    expect(overridden.data.reassignResourceTenant).toEqual({
      resource: { id: gid('Resource', droplet.id), tenantSource: 'MANUAL', tenant: { slug: 'team-b' } },
      userErrors: [],
    });
    expect(await t.db.prisma.resource.findUniqueOrThrow({ where: { id: backup.id } })).toMatchObject({ tenantId: b, tenantSource: 'PROJECT' });

    await runSync('PROJECTS');
    await runSync('DROPLETS');
    expect(await t.db.prisma.resource.findUniqueOrThrow({ where: { id: droplet.id } })).toMatchObject({
      tenantId: b,
      tenantSource: 'MANUAL',
      tenantReason: 'billed to B',
    });

    const removed = await t.gql(REASSIGN, { r: gid('Resource', droplet.id), t: null, why: 'back to the project' });
    expect(removed.data.reassignResourceTenant).toEqual({
      resource: { id: gid('Resource', droplet.id), tenantSource: 'PROJECT', tenant: { slug: 'team-a' } },
      userErrors: [],
    });
    expect(await t.db.prisma.resource.findUniqueOrThrow({ where: { id: backup.id } })).toMatchObject({ tenantId: a, tenantSource: 'PROJECT' });

    const events = await t.gql(
      `query($r: ID!, $since: Int) { resourceEvents(first: 20, filter: { resourceId: $r, types: [TENANT_CHANGED], afterSequence: $since }) { edges { node { from to actor reason } } } }`,
      { r: gid('Resource', droplet.id), since },
    );
    expect(events.data.resourceEvents.edges.map((e: any) => e.node)).toEqual([
      { from: null, to: 'team-a', actor: 'anonymous', reason: 'contract signed' },
      { from: 'team-a', to: 'team-b', actor: 'anonymous', reason: 'billed to B' },
      { from: 'team-b', to: 'team-a', actor: 'anonymous', reason: 'back to the project' },
    ]);
  });

  it('answers bad attribution input with userErrors: malformed and unknown ids, removing an override that does not exist', async () => {
    const droplet = await t.db.prisma.resource.findFirstOrThrow({ where: { kind: 'droplet', tenantSource: { not: 'MANUAL' } } });
    const project = await t.db.prisma.project.findFirstOrThrow({});
    const unknownTenant = gid('Tenant', '00000000-0000-4000-8000-000000000000');

    const malformed = await t.gql(REASSIGN, { r: 'not-an-id', t: gid('Project', project.id) });
    expect(malformed.errors).toBeUndefined();
    expect(malformed.data.reassignResourceTenant.resource).toBeNull();
    expect(malformed.data.reassignResourceTenant.userErrors.map((e: any) => [e.code, e.path])).toEqual([
      ['INVALID_INPUT', ['input', 'resourceId']],
      ['INVALID_INPUT', ['input', 'tenantId']],
    ]);
    const unknown = await t.gql(REASSIGN, { r: gid('Resource', droplet.id), t: unknownTenant });
    expect(unknown.data.reassignResourceTenant.userErrors).toEqual([{ code: 'NOT_FOUND', message: 'no tenant has this id', path: ['input', 'tenantId'] }]);
    const noOverride = await t.gql(REASSIGN, { r: gid('Resource', droplet.id), t: null });
    expect(noOverride.data.reassignResourceTenant.userErrors.map((e: any) => e.code)).toEqual(['NO_CHANGE']);
    expect(noOverride.data.reassignResourceTenant.resource.id).toBe(gid('Resource', droplet.id));

    const noProject = await t.gql(ASSIGN_PROJECT, { p: gid('Project', '00000000-0000-4000-8000-000000000000'), t: null });
    expect(noProject.data.assignProjectTenant).toEqual({
      project: null,
      userErrors: [{ code: 'NOT_FOUND', message: 'no project has this id', path: ['input', 'projectId'] }],
    });
    const before = await t.db.prisma.resourceEvent.count();
    const same = await t.gql(ASSIGN_PROJECT, { p: gid('Project', project.id), t: project.tenantId ? gid('Tenant', project.tenantId) : null });
    expect(same.data.assignProjectTenant.userErrors.map((e: any) => e.code)).toEqual(['NO_CHANGE']);
    expect(await t.db.prisma.resourceEvent.count()).toBe(before);
  });

  it('SyncRun.skippedItems names each item a listing left out, and the run counts no strike', async () => {
    const volumes = await runSync('VOLUMES');
    expect(volumes.syncRun).toMatchObject({ status: 'SUCCEEDED' });
    const odd = sim.state.volumes[1]!;
    const gone = structuredClone(sim.state.volumes[2]!);
    const name = odd.name;
    Object.assign(odd, { name: 42 });
    sim.script.destroy('volume', gone.id as string);
    try {
      const r = await t.gql(
        `mutation { runSync(input: { worker: VOLUMES }) { syncRun { status complete markedMissing skippedItems { providerId path message } } userErrors { code } } }`,
      );
      expect(r.errors).toBeUndefined();
      expect(r.data.runSync.syncRun).toEqual({
        status: 'SUCCEEDED',
        complete: false,
        markedMissing: 0,
        skippedItems: [{ providerId: odd.id, path: 'name', message: expect.stringMatching(/string/) }],
      });
      const listed = await t.gql(`{ syncRuns(worker: VOLUMES, first: 2) { edges { node { complete skippedItems { path } } } } }`);
      expect(listed.data.syncRuns.edges.map((e: any) => e.node)).toEqual([
        { complete: false, skippedItems: [{ path: 'name' }] },
        { complete: true, skippedItems: [] },
      ]);
    } finally {
      odd.name = name;
      sim.script.create('volume', gone);
    }
  });

  it('runSync answers a disabled worker with DISABLED and a worker already running with ALREADY_RUNNING', async () => {
    const disabled = await runSync('KUBERNETES');
    expect(disabled).toEqual({ syncRun: null, userErrors: [{ code: 'DISABLED', message: expect.any(String), path: ['input', 'worker'] }] });
    sim.setLatency(150);
    try {
      const [first, second] = await Promise.all([runSync('VOLUMES'), runSync('VOLUMES')]);
      const outcomes = [first, second].map((p) => p.userErrors[0]?.code ?? p.syncRun.status).sort();
      expect(outcomes).toEqual(['ALREADY_RUNNING', 'SUCCEEDED']);
    } finally {
      sim.setLatency(0);
    }
  });

  it.each([
    { word: 'off', outcome: 'SUCCEEDED', enabled: true, placeholders: false },
    { word: 'disabled', outcome: 'DISABLED', enabled: false, placeholders: true },
  ])('SYNC_SCHEDULE_DROPLETS=$word: runSync answers $outcome, and the sweep makes placeholder droplets: $placeholders', async (c) => {
    const db = await target.open();
    const app = await startTestApp(
      db,
      { ...SCHEDULES, SYNC_SCHEDULE_DROPLETS: c.word },
      { sync: { runOnStart: false }, doClient: { baseUrl: sim.url, token: 'x' } },
    );
    try {
      const status = await app.gql(`{ syncStatus { worker schedule enabled nextRunAt } }`);
      expect(status.data.syncStatus.find((s: any) => s.worker === 'DROPLETS')).toEqual({
        worker: 'DROPLETS',
        schedule: c.word,
        enabled: c.enabled,
        nextRunAt: null,
      });
      const projects = await app.gql(RUN_SYNC, { worker: 'PROJECTS' });
      expect(projects.data.runSync.syncRun.status).toBe('SUCCEEDED');
      const placeholders = await db.prisma.resource.count({ where: { kind: 'droplet', placeholder: true } });
      expect(placeholders > 0).toBe(c.placeholders);
      const droplets = await app.gql(RUN_SYNC, { worker: 'DROPLETS' });
      expect(droplets.data.runSync.syncRun?.status ?? droplets.data.runSync.userErrors[0].code).toBe(c.outcome);
      if (c.outcome === 'SUCCEEDED') {
        expect(await db.prisma.resource.count({ where: { kind: 'droplet', placeholder: false } })).toBe(
          sim.state.droplets.length + sim.state.gpuDroplets.length,
        );
      }
    } finally {
      await app.stop();
      await db.close();
    }
  });

  it('runSync without a sync service answers NOT_CONFIGURED, and syncStatus lists every worker as not enabled', async () => {
    const bare = await startTestApp(t.db);
    try {
      const r = await bare.gql(`mutation { runSync(input: { worker: DROPLETS }) { syncRun { id } userErrors { code path } } } `);
      expect(r.data.runSync).toEqual({ syncRun: null, userErrors: [{ code: 'NOT_CONFIGURED', path: ['input', 'worker'] }] });
      const s = await bare.gql(`{ syncStatus { worker enabled running nextRunAt lastRun { worker } } }`);
      expect(s.data.syncStatus).toHaveLength(SYNC_WORKERS.length);
      expect(s.data.syncStatus.every((w: any) => !w.enabled && !w.running && w.nextRunAt === null)).toBe(true);
      // Its default DigitalOcean URL makes it another account: the simulator account's runs are not its runs.
      expect(s.data.syncStatus.every((w: any) => w.lastRun === null)).toBe(true);
    } finally {
      await bare.stop();
    }
  });
});
