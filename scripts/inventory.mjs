#!/usr/bin/env node
// The `inventory` command (package.json bin): the built CLI when there is a build (dist/),
// else its TypeScript source through tsx, as `npm run cli` runs it.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2), process.env);
