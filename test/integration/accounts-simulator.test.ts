import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type Simulator } from '../../src/simulator/index.js';

/** The simulator's side of a failing account: a revoked token. */
describe('a simulated DigitalOcean whose token is revoked', () => {
  let sim: Simulator;
  const get = async (path: string) => {
    const res = await fetch(`${sim.url}${path}`, { headers: { authorization: 'Bearer some-token' } });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  beforeAll(async () => {
    sim = createSimulator({ seed: 2 });
    await sim.start();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("answers 401 with DO's body on every path until cleared, in process and over HTTP", async () => {
    expect((await get('/v2/droplets')).status).toBe(200);
    sim.script.faults.revokeToken();
    for (const path of ['/v2/droplets', '/v2/projects', '/v2/customers/my/invoices']) {
      expect(await get(path), path).toEqual({ status: 401, body: { id: 'unauthorized', message: 'Unable to authenticate you.' } });
    }
    sim.script.faults.clear();
    expect((await get('/v2/droplets')).status).toBe(200);

    const revoke = await fetch(`${sim.url}/_sim/faults/revoke-token`, { method: 'POST' });
    expect(revoke.status).toBe(200);
    expect((await get('/v2/volumes')).status).toBe(401);
    await fetch(`${sim.url}/_sim/faults/clear`, { method: 'POST' });
    expect((await get('/v2/volumes')).status).toBe(200);
  });
});
