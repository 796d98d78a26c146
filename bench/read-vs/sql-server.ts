// The baseline server (a child process): a bare node:http handler answering every request with
// the page built by ONE SQL statement, JSON and all, in PostgreSQL. DATABASE_URL, PORT, ACCOUNT_ID.
import { createServer } from 'node:http';
import pg from 'pg';

/**
 * The page as this server's API shapes it: the account's first 100 resources by name (id breaks
 * ties), stale ones hidden, with project name and tenant slug and name. `id` is the row id.
 */
export const PAGE_SQL = `
SELECT json_build_object('data', json_build_object('resources', json_build_object('edges', coalesce(json_agg(
  json_build_object('node', json_build_object(
    'id', r.id, 'name', r.name, 'status', r.status, 'kind', r.kind, 'region', r.region,
    'project', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('name', p.name) END,
    'tenant', CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('slug', t.slug, 'name', t.name) END))
  ORDER BY r.name, r.id), '[]'::json))))::text AS page
FROM (SELECT * FROM "Resource" WHERE "accountId" = $1 AND lifecycle <> 'STALE' ORDER BY name, id LIMIT 100) r
LEFT JOIN "Project" p ON p.id = r."projectId"
LEFT JOIN "Tenant" t ON t.id = r."tenantId"`;

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const accountId = process.env.ACCOUNT_ID;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    pool.query<{ page: string }>({ name: 'page', text: PAGE_SQL, values: [accountId] }).then(
      ({ rows }) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(rows[0]!.page);
      },
      (error: Error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: error.message }] }));
      },
    );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
