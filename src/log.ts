import type { LogLevel } from './config.js';
import { createRedactor } from './redact.js';

/** Structured logger: one JSON object per line on stderr. */
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

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

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

export function createLogger(
  level: LogLevel,
  base: Record<string, unknown> = {},
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
  secrets: readonly string[] = [],
): Logger {
  const threshold = ORDER[level];
  const redactString = createRedactor(secrets);
  const emit = (lvl: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < threshold) return;
    const extra = fields ? (redactValue(fields, redactString) as Record<string, unknown>) : {};
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg: redactString(msg), ...(redactValue(base, redactString) as object), ...extra }));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write, secrets),
    withSecrets: (more) => createLogger(level, base, write, [...secrets, ...more]),
    redact: redactString,
  };
}
