import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.js';

export type ServerProcess = {
  child: ChildProcess;
  /** Resolves with the URL once the server says it listens; rejects if it exits first. */
  listening: Promise<string>;
  /** Resolves with the exit code and everything written to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  stderr(): string;
};

/** The command `npm start` runs: the server in the process that receives its signals. */
const START_COMMAND = [process.execPath, '--import', 'tsx', join(PROJECT_ROOT, 'src/main.ts')];

/**
 * Runs the server as a separate process with the given environment: `src/main.ts` as `npm start`
 * does, or `command` (e.g. `npm start` itself) in `cwd`. The Node running the tests comes first
 * on PATH, so `npm` and scripts run on it too.
 */
export function spawnServer(env: Record<string, string>, command = START_COMMAND, cwd = PROJECT_ROOT): ServerProcess {
  const [file, ...args] = command;
  const child = spawn(file!, args, {
    cwd,
    env: {
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let onLine: ((url: string) => void) | undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const m = /listening on (http:\/\/\S+)\/graphql/.exec(stderr);
    if (m && onLine) onLine(m[1]!);
  });
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  const listening = new Promise<string>((resolve, reject) => {
    onLine = resolve;
    void exited.then((e) => reject(new Error(`server exited (${e.code ?? e.signal}) before listening:\n${e.stderr}`)));
  });
  listening.catch(() => {});
  return { child, listening, exited, stderr: () => stderr };
}

/** The server's stderr as log lines: every non-empty line must be a JSON object (else this throws, naming the line). */
export function logLines(stderr: string): Record<string, any>[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, any>;
      } catch {
        // reported below
      }
      throw new Error(`not a JSON log line: ${line}`);
    });
}

export type ProgramRun = { code: number | null; stdout: string; stderr: string };

/** Runs `node <args>` in the project with only PATH, HOME and `env`, its output piped (not a terminal). */
export function runNode(args: string[], env: Record<string, string> = {}): Promise<ProgramRun> {
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
