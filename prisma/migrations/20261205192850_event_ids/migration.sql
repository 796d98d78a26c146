-- TENANT_CHANGED and PROJECT_CHANGED events name tenants and projects by id in "from"/"to"
-- (until now: the tenant's slug, the project's DigitalOcean id). Labels are read when an event
-- is shown, so a renamed tenant slug keeps its history. Values that name no row are left as
-- they are (they show as null).
UPDATE "ResourceEvent" e SET "from" = t.id::text
  FROM "Tenant" t WHERE e.type = 'TENANT_CHANGED' AND e."from" = t.slug;
UPDATE "ResourceEvent" e SET "to" = t.id::text
  FROM "Tenant" t WHERE e.type = 'TENANT_CHANGED' AND e."to" = t.slug;
UPDATE "ResourceEvent" e SET "from" = p.id::text
  FROM "Project" p WHERE e.type = 'PROJECT_CHANGED' AND p."accountId" = e."accountId" AND e."from" = p."providerId";
UPDATE "ResourceEvent" e SET "to" = p.id::text
  FROM "Project" p WHERE e.type = 'PROJECT_CHANGED' AND p."accountId" = e."accountId" AND e."to" = p."providerId";
