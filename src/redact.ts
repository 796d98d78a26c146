import type { Config } from './config.js';

/** What a redacted secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Secrets shorter than this are redacted only where their position gives them away
 * (`Bearer …`, a URL's password): replacing every occurrence of a 3-letter string would
 * mangle every line without protecting anything.
 */
export const MIN_LITERAL_SECRET = 4;

/** Redaction by position, whatever the secret: bearer credentials and URL passwords. */
const POSITIONAL: [RegExp, string][] = [
  [/(bearer\s+)[^\s"'\\,;]+/gi, `$1${REDACTED}`],
  [/(postgres(?:ql)?:\/\/[^:/@\s]+):[^@\s]+@/gi, `$1:${REDACTED}@`],
  [/(rediss?:\/\/[^:/@\s]*):[^@\s]+@/gi, `$1:${REDACTED}@`],
];

/**
 * THE redaction of text that is logged or stored: every configured secret (in the forms it
 * may take: as configured, URL-decoded, URL-encoded) wherever it appears, bare or after
 * "Bearer", and any bearer credential or URL password. The logger applies it to every line;
 * whatever stores an error text (sync runs) applies it before writing.
 */
export function createRedactor(secrets: readonly (string | null | undefined)[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, safeDecode(secret), encodeURIComponent(secret)]) {
      if (form.length >= MIN_LITERAL_SECRET) forms.add(form);
    }
  }
  const literal = forms.size
    ? new RegExp(
        [...forms]
          .sort((a, b) => b.length - a.length)
          .map(escapeRegExp)
          .join('|'),
        'g',
      )
    : null;
  return (text) => {
    let out = literal ? text.replace(literal, REDACTED) : text;
    for (const [pattern, replacement] of POSITIONAL) out = out.replace(pattern, replacement);
    return out;
  };
}

/**
 * The secrets of a configuration: every account's token (DIGITALOCEAN_TOKEN or the entries of
 * DIGITALOCEAN_ACCOUNTS / _FILE), ADMIN_API_KEY, and the passwords of DATABASE_URL and REDIS_URL.
 */
export function configuredSecrets(config: Pick<Config, 'accounts' | 'doToken' | 'adminApiKey' | 'databaseUrl' | 'redisUrl'>): string[] {
  const secrets = [
    ...config.accounts.map((a) => a.token),
    config.doToken,
    config.adminApiKey,
    urlPassword(config.databaseUrl),
    urlPassword(config.redisUrl),
  ].filter((s): s is string => !!s);
  return [...new Set(secrets)];
}

function urlPassword(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).password || null;
  } catch {
    return null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
