// npm run schema:print — writes src/schema/schema.graphql, the public API as the server
// builds it. A test fails when the committed file is out of date.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';
import { PROJECT_ROOT } from '../src/paths.js';

const path = join(PROJECT_ROOT, 'src/schema/schema.graphql');
await writeFile(path, `${printSchema(schema)}\n`);
console.log(`wrote ${path}`);
