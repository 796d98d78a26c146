import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root (where package.json, prisma/ and data/ live). */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
