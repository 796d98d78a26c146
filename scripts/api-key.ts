// npm run api-key -- create --role VIEWER|OPERATOR [--tenant <slug>] [--name <text>]
// npm run api-key -- revoke <key id>
// Creates an API key and prints it once (only its SHA-256 hash is stored), or revokes one.
// Keys work when ADMIN_API_KEY is set (auth is on); a key with --tenant sees only that tenant.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { hashApiKey } from '../src/auth.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, tenant: { type: 'string' }, name: { type: 'string' } },
});
const [command, id] = positionals;
const usage = 'usage: npm run api-key -- create --role VIEWER|OPERATOR [--tenant <slug>] [--name <text>] | revoke <key id>';
if (command !== 'create' && command !== 'revoke') {
  console.error(usage);
  process.exit(2);
}
const config = loadConfig();
if (!config.ok) {
  for (const p of config.problems) console.error(`config: ${p}`);
  process.exit(2);
}
const db = await openDatabase(config.config);
await db.migrate();
try {
  if (command === 'revoke') {
    if (!id) throw new Error(usage);
    const { count } = await db.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    console.log(count ? `revoked ${id}` : `no active key ${id}`);
  } else {
    const role = values.role?.toUpperCase();
    if (role !== 'VIEWER' && role !== 'OPERATOR') throw new Error(`--role must be VIEWER or OPERATOR\n${usage}`);
    const tenant = values.tenant ? await db.prisma.tenant.findUnique({ where: { slug: values.tenant } }) : null;
    if (values.tenant && !tenant) throw new Error(`no tenant with slug "${values.tenant}"`);
    const key = `doig_${randomBytes(24).toString('base64url')}`;
    const row = await db.prisma.apiKey.create({
      data: { name: values.name ?? `${role.toLowerCase()} key`, keyHash: hashApiKey(key), role, tenantId: tenant?.id ?? null },
    });
    console.log(`id:   ${row.id}\nrole: ${role}${tenant ? `\ntenant: ${tenant.slug}` : ''}\nkey:  ${key}\n(shown once; send it as "Authorization: Bearer <key>")`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
