// What every part of the portal walk works with: the stack, two tenants (one to use, one whose ids must stay
// out of reach), the receiver, portal links, the stack's database, and the browser page the walk drives.
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { apiClient } from '../../bench/lib/api.js';
import type { RequestBody } from '../../src/client/index.js';
import type { BenchStack } from '../../bench/lib/stack.js';
import type { BrowserCheck } from './browser-check.js';
import { startPortalReceiver, type PortalReceiver } from './portal-receiver.js';
import { WIDE } from './portal-page.js';

type Api = ReturnType<typeof apiClient>;

export interface PortalLink {
  url: string;
  expires_at: string;
}

export interface PortalWalk {
  run: BrowserCheck;
  stack: BenchStack;
  api: Api;
  receiver: PortalReceiver;
  /** The tenant whose portal is walked. */
  tenant: Awaited<ReturnType<Api['tenant']>>;
  /** A subscription of another tenant, which the portal must not reach. */
  otherSub: Awaited<ReturnType<Api['subscribe']>>;
  /** A new portal link for the tenant. */
  link(body?: RequestBody<'createPortalSession'>): Promise<PortalLink>;
  /** The check reaches the stack's database directly for what a user cannot do: expire a link, open a circuit. */
  sql(text: string, values?: unknown[]): Promise<void>;
  /** The link the walk opens first. */
  first: PortalLink;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What the page reported during the walk, checked to be empty at its end. */
  cspViolations: string[];
  pageErrors: string[];
}

/** Starts the stack, makes the tenants and the first link, and opens a page that records CSP violations and script errors. */
export async function startPortalWalk(run: BrowserCheck): Promise<PortalWalk> {
  run.info('starting the stack (Temporal dev server, database, worker, API)');
  const { stack, api } = await run.startStack();
  const receiver = await startPortalReceiver(run);
  const tenant = await api.tenant(stack.adminToken, 'Acme Payroll');
  const other = await api.tenant(stack.adminToken, 'Other Corp');
  const otherSub = await api.subscribe(other.api_key, { url: `${receiver.url}/other`, event_types: ['user.*'] });
  const link = async (body: RequestBody<'createPortalSession'> = {}) => {
    const res = await api.as(stack.adminToken).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenant.id } }, body });
    if (!res.data) throw new Error(`portal-sessions answered ${res.response.status}: ${JSON.stringify(res.error)}`);
    return res.data as PortalLink;
  };
  const sql = async (text: string, values: unknown[] = []) => {
    const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(text, values);
    } finally {
      await db.end();
    }
  };
  const first = await link({ ttl: '30m' });
  run.info(`portal link made, expires ${first.expires_at}`);

  const browser = await run.launchChromium();
  const context = await browser.newContext({ viewport: WIDE });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { run, stack, api, receiver, tenant, otherSub, link, sql, first, browser, context, page, cspViolations, pageErrors };
}
