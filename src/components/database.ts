import type { Config } from '../config.js';
import { openDatabase, type Database } from '../db/index.js';
import type { Logger } from '../log.js';
import type { Component } from './lifecycle.js';

export type DatabaseComponent = Component & {
  /** True when the database answers and every migration is applied (false before start). */
  ready(): Promise<boolean>;
  /** The open database (after start). */
  readonly db: Database;
};

/**
 * Opens the database of the config (or uses `given`, which stays open on stop: its owner
 * closes it) and applies pending migrations. Ready when the database answers and every
 * migration is applied.
 */
export function createDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'statementTimeoutMs'>,
  deps: { log: Logger; given?: Database },
): DatabaseComponent {
  let db: Database | undefined;
  return {
    get db() {
      if (!db) throw new Error('database not started');
      return db;
    },
    async start() {
      db = deps.given ?? (await openDatabase(config));
      const applied = await db.migrate();
      if (applied.length) deps.log.info('applied migrations', { migrations: applied });
    },
    async ready() {
      return db ? db.ready() : false;
    },
    async stop() {
      if (db && !deps.given) await db.close();
    },
  };
}
