import type { Database } from './db/index.js';

/** The slug of the account row of the configured token, or of the simulated account. */
export const accountSlug = (simulated: boolean) => (simulated ? 'simulated' : 'default');

/** The account row for the configured token (one today; the model allows several). */
export async function ensureAccount(db: Database, apiUrl: string, simulated: boolean): Promise<string> {
  const slug = accountSlug(simulated);
  const account = await db.prisma.cloudAccount.upsert({
    where: { slug },
    create: { slug, name: simulated ? 'Simulated DigitalOcean account' : 'DigitalOcean account', apiUrl },
    update: { apiUrl },
  });
  return account.id;
}

/** Creates the fallback tenant if needed and makes it the only one flagged as fallback. */
export async function ensureFallbackTenant(db: Database, slug: string): Promise<string> {
  const [, tenant] = await db.prisma.$transaction([
    db.prisma.tenant.updateMany({ where: { isFallback: true, NOT: { slug } }, data: { isFallback: false } }),
    db.prisma.tenant.upsert({
      where: { slug },
      create: { slug, name: 'Unassigned (fallback)', isFallback: true },
      update: { isFallback: true },
    }),
  ]);
  return tenant.id;
}
