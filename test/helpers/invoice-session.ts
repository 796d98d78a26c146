import type { z } from 'zod';
import type { DoSession, TPagesSpec } from '../../src/digitalocean/client.js';

/**
 * A DigitalOcean session over bodies held in memory: the invoice list names one invoice, and
 * its items come in pages of 200 as the API sends them. Nothing else is reachable.
 */
export function invoiceSession(invoice: { uuid: string; amount: string; period: string }, items: unknown[]): DoSession {
  return {
    async *pages<T>(spec: TPagesSpec<T>) {
      if (spec.envelope === 'invoices') {
        yield [{ invoice_uuid: invoice.uuid, invoice_id: '1', amount: invoice.amount, invoice_period: invoice.period }] as T[];
        return;
      }
      if (!spec.path.endsWith(invoice.uuid)) throw new Error(`unexpected listing ${spec.path}`);
      for (let i = 0; i < items.length; i += 200) yield items.slice(i, i + 200) as T[];
    },
    async get<T>(_path: string, _schema: z.ZodType<T>): Promise<T> {
      throw new Error('not used');
    },
    async getText() {
      throw new Error('not used');
    },
    requests: 0,
    rateLimitRemaining: null,
  };
}
