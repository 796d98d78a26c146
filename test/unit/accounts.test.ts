import { describe, expect, it } from 'vitest';
import { accountRegistry } from '../../src/accounts.js';
import { planAccounts } from '../../src/components/accounts.js';

const two = [
  { slug: 'acme-prod', name: 'Acme production', token: 'tok-prod', apiUrl: 'https://api.digitalocean.com' },
  { slug: 'acme-eu', name: 'Acme Europe', token: 'tok-eu', apiUrl: 'http://eu.example' },
];
const retries = { max: 1, baseDelayMs: 1, maxDelayMs: 2 };

describe('planAccounts', () => {
  it('several configured accounts: each its own token and URL; test client options apply to all, their URL and token to none', () => {
    const planned = planAccounts({ accounts: two, doApiUrl: 'unused' }, { doClient: { baseUrl: 'http://sim', token: 'x', retries } });
    expect(planned).toEqual([
      {
        slug: 'acme-prod',
        name: 'Acme production',
        apiUrl: 'https://api.digitalocean.com',
        simulated: false,
        client: { token: 'tok-prod', baseUrl: 'https://api.digitalocean.com', retries },
      },
      {
        slug: 'acme-eu',
        name: 'Acme Europe',
        apiUrl: 'http://eu.example',
        simulated: false,
        client: { token: 'tok-eu', baseUrl: 'http://eu.example', retries },
      },
    ]);
  });

  it('one configured account: the test client options apply whole (a simulator instead of DigitalOcean)', () => {
    const [only] = two;
    const planned = planAccounts({ accounts: [only!], doApiUrl: 'unused' }, { doClient: { baseUrl: 'http://sim', retries } });
    expect(planned).toEqual([
      { slug: 'acme-prod', name: 'Acme production', apiUrl: 'http://sim', simulated: false, client: { token: 'tok-prod', baseUrl: 'http://sim', retries } },
    ]);
  });

  it('no account configured: `default` for a test client, the simulators, or `simulated` without a client', () => {
    expect(planAccounts({ accounts: [], doApiUrl: 'https://do' }, { doClient: { baseUrl: 'http://sim' } })).toEqual([
      { slug: 'default', name: 'DigitalOcean account', apiUrl: 'http://sim', simulated: false, client: { token: 'simulated', baseUrl: 'http://sim' } },
    ]);
    const simulators = ['simulated', 'simulated-eu'].map((slug, i) => ({ slug, name: slug, url: `http://sim-${i}` }));
    expect(planAccounts({ accounts: [], doApiUrl: 'https://do' }, { simulated: simulators }).map((p) => [p.slug, p.simulated, p.client?.baseUrl])).toEqual([
      ['simulated', true, 'http://sim-0'],
      ['simulated-eu', true, 'http://sim-1'],
    ]);
    expect(planAccounts({ accounts: [], doApiUrl: 'https://do' }, {})).toEqual([
      { slug: 'simulated', name: 'Simulated DigitalOcean account', apiUrl: 'https://do', simulated: true, client: null },
    ]);
  });
});

describe('accountRegistry', () => {
  it('sorts by slug and finds by id and slug', () => {
    const accounts = accountRegistry([
      { id: 'b', slug: 'zeta', name: 'Z', simulated: false },
      { id: 'a', slug: 'alpha', name: 'A', simulated: true },
    ]);
    expect(accounts.list.map((a) => a.slug)).toEqual(['alpha', 'zeta']);
    expect(accounts.ids).toEqual(['a', 'b']);
    expect(accounts.byId('b')?.slug).toBe('zeta');
    expect(accounts.bySlug('alpha')?.id).toBe('a');
    expect(accounts.byId('nope')).toBeUndefined();
  });
});
