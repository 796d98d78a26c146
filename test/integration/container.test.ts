// The container image, without a container engine: the Dockerfile's stages are followed in
// clean temporary directories (one per stage, standing for its /app), its build steps
// (scripts/container-build.sh) run as the image's RUN lines say, and the final stage's CMD
// and HEALTHCHECK run with its ENV. Steps an engine alone can do (the base image, the user,
// file ownership) are listed and not run. Needs the npm registry (two `npm ci`): skipped,
// saying so, when it is unreachable.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { createSimulator } from '../../src/simulator/index.js';
import { spawnServer } from '../helpers/process.js';

const run = promisify(execFile);

type Instruction = { op: string; args: string };
type Stage = { name: string; from: string; instructions: Instruction[] };

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of logical) {
    const [, op, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') {
      const m = /^(\S+)\s+AS\s+(\S+)$/i.exec(args!);
      if (!m) throw new Error(`FROM without a stage name: ${line}`);
      stages.push({ from: m[1]!, name: m[2]!, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ op: op!.toUpperCase(), args: args! });
    }
  }
  return stages;
}

/** Leading `--name=value` flags of an instruction, and the rest. */
function flags(args: string): { flags: string[]; rest: string } {
  const found: string[] = [];
  let rest = args;
  for (let m: RegExpExecArray | null; (m = /^--(\S+)\s+/.exec(rest)); rest = rest.slice(m[0].length)) found.push(m[1]!);
  return { flags: found, rest };
}

/** `.dockerignore` as Docker reads it: paths relative to the context, `*` within a name, `**` across. */
function ignoredBy(dockerignore: string): (path: string) => boolean {
  const patterns = dockerignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      if (p.startsWith('!')) throw new Error(`.dockerignore: exceptions (${p}) are not followed by this test`);
      const source = p
        .replace(/^\/+|\/+$/g, '')
        .split('**')
        .map((part) =>
          part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]'),
        )
        .join('.*');
      return new RegExp(`^${source}(/|$)`);
    });
  return (path) => patterns.some((re) => re.test(path));
}

/** Resolves when the npm registry answers at all; rejects with why not. */
async function registryReachable(): Promise<void> {
  const registry = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  await fetch(registry, { method: 'HEAD', signal: AbortSignal.timeout(10_000) });
}

/** An empty PostgreSQL database of the test's own (when TEST_DATABASE_URL is set), else the embedded database. */
async function emptyDatabase(): Promise<{ name: string; env: Record<string, string>; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { name: 'the embedded database', env: {}, drop: async () => {} };
  const name = `inventory_image_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return { name: 'PostgreSQL', env: { DATABASE_URL: u.toString() }, drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

const work: string[] = [];
afterAll(async () => {
  for (const dir of work) await rm(dir, { recursive: true, force: true });
});

describe('the container image (Dockerfile followed without a container engine)', () => {
  it('builds from the tracked files with production dependencies only, starts, answers /readyz and its health check, stops on SIGTERM', async ({ skip }) => {
    try {
      await registryReachable();
    } catch (error) {
      const why = `the npm registry is unreachable (${(error as Error).cause ?? (error as Error).message}): the container build test is SKIPPED`;
      console.warn(`WARNING: ${why}`);
      skip(why);
    }

    const root = await mkdtemp(join(tmpdir(), 'inventory-image-'));
    work.push(root);
    const began = Date.now();
    const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
    const notRun: string[] = [];
    const timed = async <T>(label: string, step: () => Promise<T>) => {
      const started = Date.now();
      const result = await step();
      console.log(`container image: ${label}: ${seconds(started)}`);
      return result;
    };

    // The build context: the checkout's files (tracked, and new ones git does not ignore: what a
    // clean clone of the commit has) minus .dockerignore.
    const context = join(root, 'context');
    const ignored = ignoredBy(readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8'));
    const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' })
      .split('\0')
      .filter(Boolean);
    for (const file of tracked) {
      if (ignored(file) || !existsSync(join(PROJECT_ROOT, file))) continue;
      await mkdir(dirname(join(context, file)), { recursive: true });
      await cp(join(PROJECT_ROOT, file), join(context, file));
    }
    expect(existsSync(join(context, 'test'))).toBe(false);

    const stages = parseDockerfile(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
    const byName = new Map(stages.map((s) => [s.name, s]));
    const final = stages.at(-1)!;
    /** The environment a step runs with: the stage's ENV on this machine's PATH and HOME, nothing of npm's own. */
    const baseEnv = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp' };
    const built = new Map<string, Promise<{ dir: string; env: Record<string, string> }>>();

    const buildStage = (name: string): Promise<{ dir: string; env: Record<string, string> }> => {
      if (!built.has(name)) built.set(name, followStage(byName.get(name) ?? expect.fail(`no stage ${name}`)));
      return built.get(name)!;
    };
    const followStage = async (stage: Stage) => {
      const dir = join(root, stage.name);
      let env: Record<string, string> = {};
      if (byName.has(stage.from)) {
        const parent = await buildStage(stage.from);
        await cp(parent.dir, dir, { recursive: true });
        env = { ...parent.env };
      } else {
        await mkdir(dir);
        notRun.push(`FROM ${stage.from} (the base image: this machine's Node ${process.version} instead)`);
      }
      for (const { op, args } of stage.instructions) {
        if (op === 'WORKDIR') {
          expect(args, 'each stage works in /app (this test maps /app to the stage directory)').toBe('/app');
        } else if (op === 'ENV') {
          for (const m of args.matchAll(/(\w+)=(\S+)/g)) env[m[1]!] = m[2]!;
        } else if (op === 'COPY') {
          const { flags: f, rest } = flags(args);
          const from = f.find((x) => x.startsWith('from='))?.slice(5);
          const parts = rest.split(/\s+/);
          const dest = join(dir, parts.pop()!);
          const sourceRoot = from ? (await buildStage(from)).dir : context;
          for (const src of parts) {
            const to = src === '.' ? dest : join(dest, src.split('/').at(-1)!);
            await cp(join(sourceRoot, src.replace(/^\/app\/?/, '')), to, { recursive: true });
          }
        } else if (op === 'RUN') {
          const { flags: f, rest } = flags(args);
          if (!rest.includes('scripts/container-build.sh')) {
            notRun.push(`${stage.name}: RUN ${rest}`);
            continue;
          }
          let command = rest;
          const mounts = f.filter((x) => x.startsWith('mount='));
          const mounted = await Promise.all(
            mounts.map(async (m) => {
              const o = Object.fromEntries(
                m
                  .slice(6)
                  .split(',')
                  .map((kv) => kv.split('=') as [string, string]),
              );
              expect(o, `${m}: a bind mount of another stage's /app`).toMatchObject({ type: 'bind', source: '/app' });
              return { target: o.target!, dir: (await buildStage(o.from!)).dir };
            }),
          );
          for (const m of mounted) command = command.replaceAll(m.target, m.dir);
          await timed(`${stage.name}: RUN ${rest}`, () => run('sh', ['-c', command], { cwd: dir, env: { ...baseEnv, ...env }, maxBuffer: 64 * 1024 * 1024 }));
        } else if (op === 'USER' || op === 'EXPOSE' || op === 'ARG') {
          notRun.push(`${stage.name}: ${op} ${args}`);
        } else if (op !== 'HEALTHCHECK' && op !== 'CMD') {
          expect.fail(`Dockerfile: ${op} is not followed by this test`);
        }
      }
      return { dir, env };
    };

    const image = await buildStage(final.name);
    const exec = (op: string) => {
      const args = final.instructions.find((i) => i.op === op)?.args ?? expect.fail(`the final stage has no ${op}`);
      return JSON.parse(args.slice(args.indexOf('['))) as string[];
    };
    const cmd = exec('CMD');
    const healthcheck = exec('HEALTHCHECK');

    // Production dependencies only: no compiler, no Prisma CLI, no test runner, no sources.
    const modules = await readdir(join(image.dir, 'node_modules'));
    for (const dev of ['typescript', 'tsx', 'prisma', 'vitest', 'esbuild']) expect(modules).not.toContain(dev);
    expect(modules).toContain('@prisma');
    expect(existsSync(join(image.dir, 'src'))).toBe(false);

    // NODE_ENV=production wants a real token: the simulated account stands behind a URL instead.
    // As compose.yaml runs it, on PostgreSQL (an empty database the server migrates at start)
    // and Redis when this test run has them; on the embedded database otherwise.
    const sim = createSimulator({ seed: 11 });
    await sim.start();
    const database = await emptyDatabase();
    const env: Record<string, string> = { ...image.env, ...database.env, PORT: '0', DIGITALOCEAN_TOKEN: 'image-test-token', DIGITALOCEAN_API_URL: sim.url };
    if (process.env.TEST_REDIS_URL) env.REDIS_URL = process.env.TEST_REDIS_URL;
    const server = spawnServer(env, cmd, image.dir);
    try {
      const url = await timed(`start (migrations on ${database.name})`, () => server.listening);
      const port = new URL(url).port;

      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok' });
      const answer = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });

      const [hcFile, ...hcArgs] = healthcheck;
      const hcEnv = { ...baseEnv, ...image.env, PORT: port };
      await expect(run(hcFile!, hcArgs, { cwd: image.dir, env: hcEnv })).resolves.toBeDefined();

      server.child.kill('SIGTERM');
      const stopped = await server.exited;
      expect(stopped.code).toBe(0);
      // Nothing listens any more: the health check now fails.
      await expect(run(hcFile!, hcArgs, { cwd: image.dir, env: hcEnv })).rejects.toMatchObject({ code: 1 });
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
      await sim.stop();
      await database.drop();
    }
    console.log(`container image: in all ${seconds(began)}; not run here (a container engine's part):\n  ${notRun.join('\n  ')}`);
  }, 600_000); // ~90 s on an idle 2-core machine: two `npm ci`, a compile, a start
});
