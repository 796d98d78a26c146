import { createSchema, createYoga } from 'graphql-yoga';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { endpointLabel } from '../../src/metrics/digitalocean.js';
import { graphqlMetrics, MAX_OPERATION_NAMES } from '../../src/metrics/graphql.js';
import { parseExposition } from '../helpers/prometheus.js';

describe('metrics labels stay bounded', () => {
  it('names DigitalOcean endpoints without the ids of objects in their path', () => {
    expect(endpointLabel('/v2/droplets')).toBe('/v2/droplets');
    expect(endpointLabel('/v2/projects/4e1bfbc3-dc3e-41f2-a18f-1b4d7ba71679/resources')).toBe('/v2/projects/{id}/resources');
    expect(endpointLabel('/v2/customers/my/invoices/preview')).toBe('/v2/customers/my/invoices/preview');
    expect(endpointLabel('/v2/droplets/12345/backups')).toBe('/v2/droplets/{id}/backups');
  });

  it(`keeps at most ${MAX_OPERATION_NAMES} operation names; later ones count as (other)`, async () => {
    const registry = new Registry();
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } }),
      plugins: graphqlMetrics(registry),
    });
    const names = Array.from({ length: MAX_OPERATION_NAMES + 5 }, (_, i) => `Op${i}`);
    for (const name of names) {
      const res = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `query ${name} { ok }` }),
      });
      expect(await res.json()).toEqual({ data: { ok: true } });
    }
    const m = parseExposition(await registry.metrics());
    const labels = new Set(m.find('inventory_graphql_operations_total').map((s) => s.labels.operation));
    expect(labels.size).toBe(MAX_OPERATION_NAMES + 1);
    expect(m.sum('inventory_graphql_operations_total', { operation: '(other)', type: 'query', transport: 'http' })).toBe(5);
    expect(m.sum('inventory_graphql_operations_total')).toBe(names.length);
  });
});

describe('metrics settings', () => {
  it('serve /metrics on the API port unless METRICS_PORT is set; METRICS_HOST defaults to HOST', () => {
    const plain = loadConfig({});
    expect(plain.ok && plain.config.metrics).toEqual({ port: null, host: '127.0.0.1' });
    const own = loadConfig({ HOST: '0.0.0.0', METRICS_PORT: '9464' });
    expect(own.ok && own.config.metrics).toEqual({ port: 9464, host: '0.0.0.0' });
    const bad = loadConfig({ PORT: '4000', METRICS_PORT: '4000' });
    expect(bad.ok ? [] : bad.problems).toEqual(['METRICS_PORT: must differ from PORT (leave METRICS_PORT unset to serve /metrics on the API port)']);
    const notPort = loadConfig({ METRICS_PORT: 'x' });
    expect(notPort.ok ? [] : notPort.problems).toEqual(['METRICS_PORT: must be a whole number between 0 and 65535']);
  });
});
