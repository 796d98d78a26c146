import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { Database } from '../../src/db/index.js';
import { openEmbeddedTestDatabase } from '../helpers/db.js';
import { seedInventory } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { soleAccount } from '../helpers/sole-account.js';

/** Debian's chromium package; CI installs it (.ci/run). Without it these tests are skipped. */
const CHROMIUM = '/usr/bin/chromium';
const NO_CHROMIUM = `${CHROMIUM} is not installed (apt-get install chromium): GraphiQL's browser tests are skipped`;
const KEY = 'admin-key-for-graphiql-browser-0123';

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');

/**
 * GraphiQL as a user drives it, in headless Chromium: the page our server serves at /graphql,
 * its Monaco editors filled through the keyboard, its Headers tab, its run button.
 */
describe('GraphiQL in a real browser, with ADMIN_API_KEY configured', () => {
  const hasChromium = existsSync(CHROMIUM);
  let db: Database;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let resourceId: string;
  let otherTenantId: string;

  beforeAll(async () => {
    if (!hasChromium) return;
    db = await openEmbeddedTestDatabase();
    server = await startTestServer(db, { ADMIN_API_KEY: KEY });
    const { tenants } = await seedInventory(db, { accountId: soleAccount(server.app).id, resources: 1, projects: 1, tenants: 2 });
    const resource = await db.prisma.resource.findFirstOrThrow();
    resourceId = gid('Resource', resource.id);
    otherTenantId = gid('Tenant', tenants.find((t) => t.id !== resource.tenantId)!.id);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Generous for a loaded machine; every wait below ends as soon as its condition holds.
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.close();
  });

  /** Replaces an editor's text the way a user does: click, select all, type. */
  async function fill(editor: string, text: string) {
    await page.locator(`${editor} .graphiql-editor:not(.hidden) .monaco-editor`).click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    // One input event, like a paste: Monaco's auto-closing of brackets and quotes does not apply.
    await page.keyboard.insertText(text);
  }

  /** The result pane's text (Monaco renders spaces as no-break spaces). */
  const resultText = () => page.locator('.graphiql-response').evaluate((el) => (el.textContent ?? '').replace(/\u00a0/g, ' '));

  /** Waits until the result pane shows text matching `pattern`, and returns it. */
  async function resultMatching(pattern: RegExp): Promise<string> {
    await page.waitForFunction(
      ([source, flags]) => new RegExp(source!, flags).test((document.querySelector('.graphiql-response')?.textContent ?? '').replace(/\u00a0/g, ' ')),
      [pattern.source, pattern.flags],
    );
    return resultText();
  }

  const executeButton = () => page.getByRole('button', { name: /^Execute query/ });

  /**
   * Runs the operation editor's document and resolves with the HTTP response GraphiQL got for
   * it. The button reads "Stop query" while GraphiQL fetches (a run or the schema); clicking it
   * waits until it reads "Execute query" again.
   */
  async function run(operationName: string) {
    const answered = page.waitForResponse((r) => {
      const sent = r.request().method() === 'GET' ? new URL(r.url()).searchParams.get('query') : r.request().postData();
      return r.url().startsWith(`${server.url}/graphql`) && (sent ?? '').includes(operationName);
    });
    // GraphiQL takes in an edit after a 100 ms debounce, then names the tab after the operation:
    // a click before that would run with the previous operation's name.
    await page.locator(`.graphiql-tab-active button[title="${operationName}"]`).waitFor();
    await executeButton().click();
    return answered;
  }

  it('without a key in the Headers tab, a query shows UNAUTHENTICATED in the result pane', async ({ skip }) => {
    skip(!hasChromium, NO_CHROMIUM);
    await fill('.graphiql-query-editor', 'query Anonymous { tenants { totalCount } }');
    const res = await run('Anonymous');
    expect(res.status()).toBe(401);
    await executeButton().waitFor();
    const text = await resultText();
    expect(text).toMatch(/"message": "an API key is required/);
    expect(text).toMatch(/"code": "UNAUTHENTICATED"/);
    expect(text).not.toMatch(/"data"/);
  });

  it('with the key in the Headers tab, a query answers in the result pane and the schema loads', async ({ skip }) => {
    skip(!hasChromium, NO_CHROMIUM);
    await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
    await fill('.graphiql-editor-tool', `{"Authorization": "Bearer ${KEY}"}`);
    await fill('.graphiql-query-editor', 'query WithKey { tenants { totalCount } }');
    const res = await run('WithKey');
    expect(res.status()).toBe(200);
    await executeButton().waitFor();
    const text = await resultText();
    expect(text).toMatch(new RegExp(`"totalCount": ${await db.prisma.tenant.count()}\\b`));
    expect(text).not.toMatch(/UNAUTHENTICATED/);

    // Re-fetching the schema sends the same headers: GraphiQL's introspection passes every limit.
    const introspection = page.waitForResponse(
      (r) => r.url().startsWith(`${server.url}/graphql`) && (r.request().postData() ?? '').includes('IntrospectionQuery'),
    );
    await page.getByRole('button', { name: /Re-fetch GraphQL schema/ }).click();
    const schema = await introspection;
    expect(schema.status()).toBe(200);
    expect((await schema.json()).data.__schema.subscriptionType).toMatchObject({ name: 'Subscription' });
    // The documentation explorer now shows the schema's root types.
    const docs = page.getByRole('button', { name: /Show Documentation Explorer/ });
    await docs.click();
    await page.locator('.graphiql-doc-explorer').getByText('Subscription', { exact: true }).waitFor();
    await page.getByRole('button', { name: /Hide Documentation Explorer/ }).click();
  });

  it('a subscription streams an event into the result pane as it happens (server-sent events)', async ({ skip }) => {
    skip(!hasChromium, NO_CHROMIUM);
    // afterSequence: an event committed between the stream's opening and its attaching still arrives, once.
    await fill(
      '.graphiql-query-editor',
      'subscription Live { resourceEvents(filter: { afterSequence: 0, types: [TENANT_CHANGED] }) { sequence type to actor } }',
    );
    await page.getByRole('button', { name: /Prettify query/ }).click();
    const stream = await run('Live');
    expect(stream.status()).toBe(200);
    expect(stream.headers()['content-type']).toMatch(/text\/event-stream/);
    // Subscribed and waiting: the run button became the stop button, no event yet.
    await page.getByRole('button', { name: /^Stop query/ }).waitFor();
    expect(await resultText()).not.toMatch(/TENANT_CHANGED/);

    // An operator moves the resource to the other tenant: one TENANT_CHANGED event.
    const moved = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        query: 'mutation($r: ID!, $t: ID) { reassignResourceTenant(input: { resourceId: $r, tenantId: $t }) { userErrors { code } } }',
        variables: { r: resourceId, t: otherTenantId },
      }),
    });
    expect(await moved.json()).toEqual({ data: { reassignResourceTenant: { userErrors: [] } } });
    const event = await db.prisma.resourceEvent.findFirstOrThrow({ where: { type: 'TENANT_CHANGED' } });
    const to = await db.prisma.tenant.findUniqueOrThrow({ where: { id: event.to! } });

    const text = await resultMatching(/"type": "TENANT_CHANGED"/);
    expect(JSON.parse(text)).toEqual({ data: { resourceEvents: { sequence: event.sequence, type: 'TENANT_CHANGED', to: to.slug, actor: 'admin' } } });
    // The stream stays open for the next event.
    expect(await page.getByRole('button', { name: /^Stop query/ }).isVisible()).toBe(true);
    for (const editor of ['.graphiql-query-editor', '.graphiql-editor-tool']) {
      await page.locator(`${editor} .graphiql-editor:not(.hidden) .monaco-editor`).click();
      await page.keyboard.press('ControlOrMeta+Home');
    }
    const shot = join(mkdtempSync(join(tmpdir(), 'graphiql-')), 'subscription.png');
    await page.screenshot({ path: shot });
    console.info(`GraphiQL screenshot: ${shot}`);
  });
});
