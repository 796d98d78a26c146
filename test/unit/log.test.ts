import { describe, expect, it } from 'vitest';
import { createLogger, withRequestId } from '../../src/log.js';

describe('the logger', () => {
  it('writes one JSON object per line with time, level and message, at the configured level and above', () => {
    const lines: string[] = [];
    const log = createLogger('info', { service: 'inventory' }, (l) => lines.push(l));
    log.debug('not written');
    log.info('first', { n: 1 });
    log.child({ worker: 'DROPLETS' }).error('second\nline');
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    expect(first).toMatchObject({ level: 'info', msg: 'first', n: 1, service: 'inventory' });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    expect(second).toMatchObject({ level: 'error', msg: 'second\nline', worker: 'DROPLETS', service: 'inventory' });
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('ties the lines logged while a request runs (and what it awaits) to its request id', async () => {
    const lines: string[] = [];
    const log = createLogger('info', {}, (l) => lines.push(l));
    await withRequestId('req-42', async () => {
      log.info('before');
      await new Promise((r) => setImmediate(r));
      log.child({ step: 2 }).warn('after');
    });
    log.info('outside');
    expect(lines.map((l) => JSON.parse(l).requestId)).toEqual(['req-42', 'req-42', undefined]);
  });
});
