import { RESOURCE_KINDS, type ResourceKind } from '../domain/kinds.js';
import { canonicalUrn, parseUrn } from '../domain/urn.js';
import { ZDoProject, ZDoProjectResource, type TDoProject } from '../digitalocean/schemas/projects.js';
import { commitChange } from '../events/commit.js';
import type { EventDraft } from '../events/types.js';
import { attribute } from './attribution.js';
import { markMissing, STALE_AFTER_MISSES } from './lifecycle.js';
import { parseDoDate } from './kinds/types.js';
import { reattributeAll, type RunContext, type WorkerBody } from './runner.js';

type Membership = { urn: string; urnType: string; kind: ResourceKind | null; providerId: string; assignedAt: Date | null; projectId: string };

/**
 * A membership's URN in one form per resource: `do:reservedip:` and `do:floatingip:` name the
 * same IP, so both are kept as DigitalOcean's own `do:floatingip:`. Unknown types are kept as sent.
 */
function membershipOf(urn: string, projectId: string, assignedAt: string | null | undefined): Membership | null {
  const parsed = parseUrn(urn);
  if (!parsed) return null;
  const kind = parsed.kind;
  const canonical = kind === 'floating_ip' ? canonicalUrn(kind, parsed.providerId) : `do:${parsed.type}:${parsed.providerId}`;
  return { urn: canonical, urnType: parsed.type, kind, providerId: parsed.providerId, assignedAt: parseDoDate(assignedAt ?? null), projectId };
}

async function upsertProjects(run: RunContext, projects: TDoProject[]): Promise<Map<string, string>> {
  const { db, accountId } = run.deps;
  if (projects.length > 0) {
    // Only changed projects are written (IS DISTINCT FROM), so an unchanged sweep writes nothing.
    await db.sql.query(
      `INSERT INTO "Project" (id, "accountId", "providerId", name, description, purpose, environment, "isDefault", lifecycle, "missedSyncs",
         "firstSeenAt", "lastSeenAt", "providerCreatedAt", "providerUpdatedAt")
       SELECT gen_random_uuid(), $1::uuid, u.pid, u.name, u.description, u.purpose, u.environment, u.is_default, 'ACTIVE', 0, now(), now(),
         u.created::timestamp, u.updated::timestamp
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::text[], $9::text[])
         AS u(pid, name, description, purpose, environment, is_default, created, updated)
       ON CONFLICT ("accountId", "providerId") DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
         purpose = EXCLUDED.purpose, environment = EXCLUDED.environment, "isDefault" = EXCLUDED."isDefault", lifecycle = 'ACTIVE',
         "missedSyncs" = 0, "staleSince" = NULL, "lastSeenAt" = now(), "providerCreatedAt" = EXCLUDED."providerCreatedAt",
         "providerUpdatedAt" = EXCLUDED."providerUpdatedAt"
       WHERE ("Project".name, "Project".description, "Project".purpose, "Project".environment, "Project"."isDefault", "Project".lifecycle,
              "Project"."providerUpdatedAt")
         IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.purpose, EXCLUDED.environment, EXCLUDED."isDefault", 'ACTIVE'::"Lifecycle",
              EXCLUDED."providerUpdatedAt")`,
      [
        accountId,
        projects.map((p) => p.id),
        projects.map((p) => p.name),
        projects.map((p) => p.description ?? null),
        projects.map((p) => p.purpose ?? null),
        projects.map((p) => p.environment ?? null),
        projects.map((p) => p.is_default ?? false),
        projects.map((p) => parseDoDate(p.created_at)?.toISOString() ?? null),
        projects.map((p) => parseDoDate(p.updated_at)?.toISOString() ?? null),
      ],
    );
  }
  const rows = await db.prisma.project.findMany({ where: { accountId }, select: { id: true, providerId: true } });
  return new Map(rows.map((r) => [r.providerId, r.id]));
}

/** One statement per page; rows whose project and assignment are unchanged are not written. */
async function writeMemberships(run: RunContext, changed: Membership[]) {
  if (changed.length === 0) return;
  await run.deps.db.sql.query(
    `INSERT INTO "ProjectMembership" (id, "accountId", "projectId", urn, "urnType", kind, "providerId", "assignedAt", "firstSeenAt", "lastSeenAt")
     SELECT gen_random_uuid(), $1::uuid, u.project::uuid, u.urn, u.type, u.kind::"ResourceKind", u.pid, u.assigned::timestamp, now(), now()
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(project, urn, type, kind, pid, assigned)
     ON CONFLICT ("accountId", urn) DO UPDATE SET "projectId" = EXCLUDED."projectId", "assignedAt" = EXCLUDED."assignedAt", "lastSeenAt" = now()
     WHERE ("ProjectMembership"."projectId", "ProjectMembership"."assignedAt") IS DISTINCT FROM (EXCLUDED."projectId", EXCLUDED."assignedAt")`,
    [
      run.deps.accountId,
      changed.map((m) => m.projectId),
      changed.map((m) => m.urn),
      changed.map((m) => m.urnType),
      changed.map((m) => m.kind),
      changed.map((m) => m.providerId),
      changed.map((m) => m.assignedAt?.toISOString() ?? null),
    ],
  );
}

/**
 * The PROJECTS worker: mirrors projects, records which project holds each URN, creates
 * placeholder rows for kinds no enabled worker lists, and re-attributes the account. Only a
 * complete sweep (every listing to its end, no item skipped) removes memberships, counts
 * strikes on projects and placeholders.
 */
export const projectsWorker: WorkerBody = async (run) => {
  const { deps, session } = run;
  const { db, accountId } = deps;
  const projects: TDoProject[] = [];
  for await (const page of session.pages({ path: '/v2/projects', envelope: 'projects', item: ZDoProject }, run.skip)) projects.push(...page);
  const projectIds = await upsertProjects(run, projects);

  const seenUrns = new Set<string>();
  for (const project of projects) {
    const projectId = projectIds.get(project.id)!;
    const listing = { path: `/v2/projects/${project.id}/resources`, envelope: 'resources', item: ZDoProjectResource, idField: 'urn' };
    for await (const page of session.pages(listing, run.skip)) {
      const rows: Membership[] = [];
      for (const r of page) {
        const m = membershipOf(r.urn, projectId, r.assigned_at);
        if (!m || seenUrns.has(m.urn)) continue;
        seenUrns.add(m.urn);
        rows.push(m);
      }
      run.count({ fetched: rows.length });
      await writeMemberships(run, rows);
    }
  }

  const complete = run.skippedCount === 0;
  if (!complete) {
    // A skipped item may be what is absent: nothing leaves its project, nothing takes a strike.
    await syncPlaceholders(run, false);
    await reattributeAll(run);
    return;
  }
  // The sweep was complete: what it did not list is gone from its project.
  const seen = [...seenUrns];
  await db.sql.query(`DELETE FROM "ProjectMembership" WHERE "accountId" = $1::uuid AND NOT (urn = ANY($2::text[]))`, [accountId, seen]);
  await strikeProjects(
    run,
    projects.map((p) => p.id),
  );
  await syncPlaceholders(run, true);
  await reattributeAll(run);
};

async function strikeProjects(run: RunContext, seen: string[]) {
  await run.deps.db.sql.query(
    `UPDATE "Project" SET "missedSyncs" = "missedSyncs" + 1,
       lifecycle = (CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN 'STALE' ELSE 'MISSING' END)::"Lifecycle",
       "staleSince" = CASE WHEN "missedSyncs" + 1 >= ${STALE_AFTER_MISSES} THEN now() ELSE NULL END
     WHERE "accountId" = $1::uuid AND lifecycle <> 'STALE' AND NOT ("providerId" = ANY($2::text[]))`,
    [run.deps.accountId, seen],
  );
}

/**
 * Placeholders: a URN of a kind that no enabled worker lists (Spaces buckets always) gets a
 * minimal row; placeholders are "listed" by this sweep, so they revive and take strikes here
 * (strikes only after a complete sweep).
 */
async function syncPlaceholders(run: RunContext, complete: boolean) {
  const { deps } = run;
  const placeholderKinds = RESOURCE_KINDS.filter((k) => !deps.dedicatedKinds.has(k));
  if (placeholderKinds.length === 0) return;
  const { counts } = await commitChange(deps, { syncRunId: run.runId }, async (tx) => {
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO "Resource" (id, "accountId", kind, "providerId", urn, name, placeholder, "tenantSource", lifecycle, "firstSeenAt", "lastSeenAt", "updatedAt")
       SELECT gen_random_uuid(), m."accountId", m.kind, m."providerId", m.urn, m."providerId", true, 'NONE', 'ACTIVE', now(), now(), now()
       FROM "ProjectMembership" m
       WHERE m."accountId" = $1::uuid AND m.kind::text = ANY($2::text[])
         AND NOT EXISTS (SELECT 1 FROM "Resource" r WHERE r."accountId" = m."accountId" AND r.kind = m.kind AND r."providerId" = m."providerId")
       ON CONFLICT ("accountId", kind, "providerId") DO NOTHING
       RETURNING id`,
      [deps.accountId, placeholderKinds],
    );
    const revived = await tx.query<{ id: string; was: string }>(
      `UPDATE "Resource" r SET lifecycle = 'ACTIVE', "missedSyncs" = 0, "staleSince" = NULL, "lastSeenAt" = now(), "updatedAt" = now()
       FROM "ProjectMembership" m, (SELECT id, lifecycle::text AS was FROM "Resource") old
       WHERE old.id = r.id AND r."accountId" = $1::uuid AND r.placeholder AND r.lifecycle <> 'ACTIVE'
         AND m."accountId" = r."accountId" AND m.kind = r.kind AND m."providerId" = r."providerId"
       RETURNING r.id, old.was`,
      [deps.accountId],
    );
    const events: EventDraft[] = [
      ...inserted.map((r) => ({ resourceId: r.id, type: 'CREATED' as const, from: null, to: null })),
      ...revived.map((r) => ({ resourceId: r.id, type: 'REVIVED' as const, from: r.was, to: 'ACTIVE' })),
    ];
    // New placeholders need their project before their CREATED event is stored.
    await attribute(tx, {
      accountId: deps.accountId,
      fallbackTenantId: deps.fallbackTenantId,
      resourceIds: inserted.map((r) => r.id),
      quiet: new Set(inserted.map((r) => r.id)),
    });
    return { events };
  });
  run.count(counts);
  if (!complete) return;
  const members = await deps.db.prisma.projectMembership.findMany({
    where: { accountId: deps.accountId, kind: { in: placeholderKinds } },
    select: { kind: true, providerId: true },
  });
  for (const kind of placeholderKinds) {
    const seen = members.filter((m) => m.kind === kind).map((m) => m.providerId);
    run.count(await markMissing(deps, { accountId: deps.accountId, syncRunId: run.runId }, kind, seen, true));
  }
}
