import type { AccountRuntime } from '../../src/accounts.js';
import type { App } from '../../src/app.js';

/** The account of an app that serves exactly one (a token, a test's DigitalOcean, or no sync). */
export function soleAccount(app: App): AccountRuntime {
  const [only, ...others] = app.services().accounts.list;
  if (!only || others.length > 0) throw new Error(`expected one account, the app serves ${others.length + (only ? 1 : 0)}`);
  return only;
}
