import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { LOG_FORMATS, type Config, type LogFormat, type LogLevel } from './config.js';
import { configuredSecrets, createRedactor } from './redact.js';

/** Structured logger: one JSON object per line on stderr (LOG_FORMAT=pretty: readable lines for a terminal). */
export type Logger = {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  /** This logger, also redacting these secrets (the app adds its configured ones: `configuredSecrets`). */
  withSecrets(secrets: readonly string[]): Logger;
  /** The redaction every line goes through, for text stored elsewhere (a sync run's error). */
  redact(text: string): string;
};

/**
 * Where lines go: 'json' (JSON lines on stderr), 'pretty' (pino-pretty on stderr), or a function
 * that receives each JSON line without its newline (tests).
 */
export type LogOutput = LogFormat | ((line: string) => void);

/** Field names whose values are never written, whatever they hold. */
const SECRET_KEY = /authorization|token|password|secret|api[-_]?key|connection|cookie|database_?url/i;

/** Replaces secret-looking values with `redactString` applied to every string; applied to every field of every line. */
function redactValue(value: unknown, redactString: (s: string) => string, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') {
    return typeof value === 'string' ? redactString(value) : value;
  }
  if (value instanceof Error) {
    return { name: value.name, message: redactString(value.message) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, redactString, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redactValue(v, redactString, depth + 1);
  return out;
}

/** The request (or WebSocket operation) whose work is running: its lines carry `requestId`. */
const requestScope = new AsyncLocalStorage<string>();

/** Runs `fn` so that every line logged from it (and from what it starts) carries this request id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestScope.run(requestId, fn);
}

/** The request id of the work running now, if any. */
export function currentRequestId(): string | undefined {
  return requestScope.getStore();
}

const require = createRequire(import.meta.url);

function destination(output: LogOutput): DestinationStream {
  if (typeof output === 'function') return { write: (line: string) => output(line.endsWith('\n') ? line.slice(0, -1) : line) };
  // Synchronous writes: the last lines before an exit (a start-up error) are never lost.
  if (output === 'json') return pino.destination({ fd: 2, sync: true });
  // Loaded only when asked for: JSON lines need none of it.
  const pretty = require('pino-pretty') as typeof import('pino-pretty');
  const colorize = process.stderr.isTTY === true && !process.env.NO_COLOR;
  return pretty.build({ destination: 2, sync: true, colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true });
}

/** One pino instance per output: children and redacting variants share it. */
function rootLogger(level: LogLevel, output: LogOutput): Pino {
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const requestId = requestScope.getStore();
        return requestId ? { requestId } : {};
      },
    },
    destination(output),
  );
}

function wrap(root: Pino, base: Record<string, unknown>, secrets: readonly string[]): Logger {
  const redactString = createRedactor(secrets);
  // The base fields are redacted and serialized once, not on every line.
  const target = Object.keys(base).length ? root.child(redactValue(base, redactString) as Record<string, unknown>) : root;
  const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (msg: string, fields?: Record<string, unknown>) => {
    if (!target.isLevelEnabled(level)) return;
    target[level](fields ? (redactValue(fields, redactString) as object) : {}, redactString(msg));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => wrap(root, { ...base, ...fields }, secrets),
    withSecrets: (more) => wrap(root, base, [...secrets, ...more]),
    redact: redactString,
  };
}

export function createLogger(level: LogLevel, base: Record<string, unknown> = {}, output: LogOutput = 'json', secrets: readonly string[] = []): Logger {
  return wrap(rootLogger(level, output), base, secrets);
}

/**
 * A process's logger (the server, `npm run db:migrate`): the configuration's level and format,
 * redacting its secrets. Without a valid configuration: errors only, in LOG_FORMAT if that is valid.
 */
export function processLogger(config: Config | null, env: Record<string, string | undefined> = process.env): Logger {
  if (config) return createLogger(config.logLevel, {}, config.logFormat).withSecrets(configuredSecrets(config));
  return createLogger('error', {}, LOG_FORMATS.find((f) => f === env.LOG_FORMAT?.trim()) ?? 'json');
}
