import { defineConfig } from 'prisma/config';

// Migrations do not go through the Prisma CLI here (no native engine): see
// scripts/db-migrate.ts. The CLI is used for `prisma generate` only.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
