import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import { getDatamodel } from '../generated/pothos-types.js';
import type { Resource } from '../generated/prisma/client.js';
import { ORDER_COLUMN, type ResourceFilter, type ResourceOrder } from '../schema/resource-filter.js';
import { BUILT_KEY, builtSql } from './built-relations.js';
import { fromJsonRow } from './json-rows.js';
import { filterAccounts, resourceConditionsSql } from './resource-conditions.js';
import { projectScopeSql, tenantScopeSql } from './scope-sql.js';
import { type Reads, readsOf, selectionsOf } from './selected-columns.js';
import { isUuid, SqlParams } from './sql-params.js';

/** What a page of Pothos' connection asks for: Prisma's `take`/`skip`/`cursor`, and the relations to load. */
export type PageQuery = {
  take: number;
  skip: number;
  cursor?: { id: unknown };
  include?: { project?: { include?: { tenant?: unknown } }; tenant?: unknown };
};

type JsonRow = Record<string, unknown>;
type Row = Resource & { project?: (JsonRow & { tenant?: JsonRow | null }) | null; tenant?: JsonRow | null };

/**
 * One page of resources in ONE SQL statement: the filtered, scoped rows in order after (or
 * before) the cursor, with their project (and its tenant) and their tenant built as JSON by
 * PostgreSQL, each limited by the viewer's scope like the Prisma relations they stand for. Rows
 * have the shape Prisma gives, so Pothos resolves `project` and `tenant` from them without a
 * query of its own. Relations the page does not build (a project's resources, ...) are left
 * out, and Pothos loads them as usual.
 *
 * The cursor row's position is compared strictly (`(name, id) > (cursor's)`), which is what
 * Prisma's `cursor` + `skip: 1` returns whenever the cursor row is itself in the list; a
 * cursor whose row is gone gives an empty page, as before.
 */
export async function resourcePage(
  ctx: Context,
  query: PageQuery,
  filter: ResourceFilter | null | undefined,
  order: ResourceOrder | null | undefined,
  info: GraphQLResolveInfo,
) {
  const params = new SqlParams();
  const orderColumn = ORDER_COLUMN[order?.field ?? 'NAME'];
  const column = `"${orderColumn}"`;
  const descending = order?.direction === 'DESC';
  // A negative take pages backwards: the rows before the cursor, nearest first, reversed below.
  const backward = query.take < 0;
  const reversed = descending !== backward;
  const cursor = query.cursor?.id;
  if (cursor !== undefined && !isUuid(cursor)) return [];
  const direction = reversed ? 'DESC' : 'ASC';
  const orderBy = `ORDER BY r.${column} ${direction}, r.id ${direction}`;
  const limit = params.add(Math.abs(query.take));
  const reads = pageReads(info);
  const include = query.include;
  const built = [...(include?.project ? ['project'] : []), ...(include?.tenant ? ['tenant'] : [])];
  // The page first (an index walk in order, LIMIT rows), then its relations joined to it.
  const rowsOf = (accounts: readonly string[]) => {
    const where = [resourceConditionsSql(ctx, filter, params, accounts)];
    if (cursor !== undefined)
      where.push(`(r.${column}, r.id) ${reversed ? '<' : '>'} (SELECT ${column}, id FROM "Resource" WHERE id = ${params.add(cursor)}::uuid)`);
    return `SELECT ${pageColumnsSql(reads.resource, include, orderColumn)} FROM "Resource" r WHERE ${where.join(' AND ')} ${orderBy} LIMIT ${limit}`;
  };
  // Several accounts: each account's page in its index order, merged (one sort of all their rows otherwise).
  const accounts = filterAccounts(ctx, filter);
  const page =
    accounts.length > 1 ? `SELECT * FROM (${accounts.map((a) => `(${rowsOf([a])})`).join(' UNION ALL ')}) r ${orderBy} LIMIT ${limit}` : rowsOf(accounts);
  const sql = `SELECT r.*, ${builtSql(built)} AS "${BUILT_KEY}"${relationColumns(include, reads)}
    FROM (${page}) r${relationJoins(ctx, include, params)}
    ${orderBy}`;
  const rows = await ctx.db.sql.query<Row>(sql, params.values);
  for (const row of rows) {
    if (row.project) fromJsonRow('Project', row.project);
    if (row.project?.tenant) fromJsonRow('Tenant', row.project.tenant);
    if (row.tenant) fromJsonRow('Tenant', row.tenant);
  }
  return backward ? rows.reverse() : rows;
}

/** Resources the filter selects (the connection's totalCount), in one statement. */
export async function resourceCount(ctx: Context, filter: ResourceFilter | null | undefined): Promise<number> {
  const params = new SqlParams();
  const [row] = await ctx.db.sql.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "Resource" r WHERE ${resourceConditionsSql(ctx, filter, params)}`,
    params.values,
  );
  return row?.count ?? 0;
}

/** What the page's selection reads of each model; null where it reads every column. */
type PageReads = { resource: Reads | null; project: Reads | null; projectTenant: Reads | null; tenant: Reads | null };

/** The columns the page's fields read, found in its selection (`edges { node { … } }`). */
function pageReads(info: GraphQLResolveInfo): PageReads {
  const { fragments, schema } = info;
  const type = (name: string) => schema.getType(name) as GraphQLObjectType;
  const nodes = selectionsOf(
    selectionsOf(
      info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : [])),
      'edges',
      fragments,
    ),
    'node',
    fragments,
  );
  const resource = readsOf(type('Resource'), nodes, fragments, ['project', 'tenant']);
  const project = resource && readsOf(type('Project'), resource.relations.get('project') ?? [], fragments, ['tenant']);
  return {
    resource,
    project,
    projectTenant: project && readsOf(type('Tenant'), project.relations.get('tenant') ?? [], fragments, []),
    tenant: resource && readsOf(type('Tenant'), resource.relations.get('tenant') ?? [], fragments, []),
  };
}

const MODEL_COLUMNS = new Map(
  Object.entries(getDatamodel().datamodel.models).map(([model, { fields }]) => [model, new Set(fields.filter((f) => f.kind !== 'object').map((f) => f.name))]),
);

/** The columns of `model` that `reads` names (all when null, or when it names one the model lacks). */
function columnsOf(model: string, reads: Reads | null): string[] | null {
  const known = MODEL_COLUMNS.get(model);
  if (!reads || !known || [...reads.columns].some((c) => !known.has(c))) return null;
  return [...reads.columns];
}

/** The page's columns: those its fields read, the keys its relations join on, and the order column. */
function pageColumnsSql(reads: Reads | null, include: PageQuery['include'], orderColumn: string): string {
  const columns = columnsOf('Resource', reads);
  if (!columns) return 'r.*';
  const needed = new Set([...columns, orderColumn]);
  if (include?.project) needed.add('projectId').add('accountId');
  if (include?.tenant) needed.add('tenantId');
  return [...needed].map((c) => `r."${c}"`).join(', ');
}

/** A joined row as a JSON object of the columns read, plus `more` (`'key', value` pairs); null when the join found none. */
function jsonSql(alias: string, model: string, reads: Reads | null, more = ''): string {
  const columns = columnsOf(model, reads);
  const object = columns
    ? `json_build_object(${[...columns.map((c) => `'${c}', ${alias}."${c}"`), ...(more ? [more] : [])].join(', ')})`
    : more
      ? `to_jsonb(${alias}) || jsonb_build_object(${more})`
      : `to_jsonb(${alias})`;
  return `CASE WHEN ${alias}.id IS NULL THEN NULL ELSE ${object} END`;
}

/** The project (with its tenant) and tenant columns the page's relations ask for. */
function relationColumns(include: PageQuery['include'], reads: PageReads): string {
  let columns = '';
  if (include?.project) {
    const tenant = include.project.include?.tenant ? `'${BUILT_KEY}', ${builtSql(['tenant'])}, 'tenant', ${jsonSql('pt', 'Tenant', reads.projectTenant)}` : '';
    columns += `,\n    ${jsonSql('p', 'Project', reads.project, tenant)} AS project`;
  }
  if (include?.tenant) columns += `,\n    ${jsonSql('t', 'Tenant', reads.tenant)} AS tenant`;
  return columns;
}

/** The joins of those relations, each limited by the viewer's scope like the Prisma relation it stands for. */
function relationJoins(ctx: Context, include: PageQuery['include'], params: SqlParams): string {
  let joins = '';
  if (include?.project) {
    joins += `
    LEFT JOIN "Project" p ON p.id = r."projectId" AND p."accountId" = r."accountId" AND ${projectScopeSql(ctx, 'p', params)}`;
    if (include.project.include?.tenant)
      joins += `
    LEFT JOIN "Tenant" pt ON pt.id = p."tenantId" AND ${tenantScopeSql(ctx, 'pt', params)}`;
  }
  if (include?.tenant)
    joins += `
    LEFT JOIN "Tenant" t ON t.id = r."tenantId" AND ${tenantScopeSql(ctx, 't', params)}`;
  return joins;
}
