// The child processes and clean-up steps of one benchmark run: each registered step runs once,
// in reverse order, after the run, after an error, and on Ctrl-C (SIGINT) or SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let cleaning: Promise<void> | undefined;

/** Registers a step for cleanUp() (stop a process, drop a database). */
export function onCleanup(step: Cleanup) {
  cleanups.push(step);
}

/** Runs every registered step once, the last registered first; a failing step does not stop the others. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`clean-up: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the sides and dropping the database`);
    void cleanUp().finally(() => process.exit(130));
  });
}

export type Child = {
  name: string;
  process: ChildProcess;
  /** The last 8 KB the process wrote to stdout and stderr. */
  output(): string;
  /** Null while it runs. */
  exitCode(): number | string | null;
};

/** Starts a process whose output is kept (the tail) and which is stopped by cleanUp(). */
export function startChild(name: string, command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exit: number | string | null = null;
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8192);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      resolve();
    }),
  );
  onCleanup(async () => {
    if (exit !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  });
  return { name, process: child, output: () => output, exitCode: () => exit };
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, failing with the child's output if it exits or the time runs out. */
export async function waitForHttp(child: Child, url: string, init: RequestInit = {}, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode() !== null) throw new Error(`${child.name} exited (${child.exitCode()}) before answering:\n${child.output()}`);
    try {
      const res = await fetch(url, init);
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs / 1000} s (${last}):\n${child.output()}`);
}
