// What every part of the portal walk works with: the stack, two tenants (one to use, one whose ids must stay
// out of reach), the receiver, portal links, the stack's database, and the browser page the walk drives.
import pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { apiClient } from '../../bench/lib/api.js';
import type { RequestBody } from '../../src/client/index.js';
import type { BenchStack } from '../../bench/lib/stack.js';
import type { BrowserCheck } from './browser-check.js';
import { startPortalReceiver, type PortalReceiver } from './portal-receiver.js';

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
  /** Another tenant, whose ids the walked tenant's portal must not reach; its own portal shows the platform's look. */
  other: Awaited<ReturnType<Api['tenant']>>;
  /** A subscription of the other tenant, which the portal must not reach. */
  otherSub: Awaited<ReturnType<Api['subscribe']>>;
  /** A new portal link for the tenant (or, given its id, another one). */
  link(body?: RequestBody<'createPortalSession'>, tenantId?: string): Promise<PortalLink>;
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
  /** console.error messages, but for the browser's own line for each 4xx/5xx answer (the walk makes some on purpose). */
  consoleErrors: string[];
}

/** The two sizes the portal is checked at: a laptop's screen, and a phone's. */
export const WIDE = { width: 1440, height: 900 } as const;
export const NARROW = { width: 390, height: 844 } as const;

/** Starts the stack, makes the tenants and the first link, and opens a page that records CSP violations and script errors. */
export async function startPortalWalk(run: BrowserCheck): Promise<PortalWalk> {
  run.info('starting the stack (Temporal dev server, database, worker, API)');
  const { stack, api } = await run.startStack();
  const receiver = await startPortalReceiver(run);
  const tenant = await api.tenant(stack.adminToken, 'Acme Payroll');
  const other = await api.tenant(stack.adminToken, 'Other Corp');
  const otherSub = await api.subscribe(other.api_key, { url: `${receiver.url}/other`, event_types: ['user.*'] });
  const link = async (body: RequestBody<'createPortalSession'> = {}, tenantId = tenant.id) => {
    const res = await api.as(stack.adminToken).POST('/v1/tenants/{id}/portal-sessions', { params: { path: { id: tenantId } }, body });
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
  const consoleErrors: string[] = [];
  watchPage(page, { cspViolations, pageErrors, consoleErrors });
  return { run, stack, api, receiver, tenant, other, otherSub, link, sql, first, browser, context, page, cspViolations, pageErrors, consoleErrors };
}

/** Collects what a page of the walk must not do: break the CSP, throw, or log an error. */
export function watchPage(page: Page, into: Pick<PortalWalk, 'cspViolations' | 'pageErrors' | 'consoleErrors'>): void {
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) into.cspViolations.push(m.text());
    // The browser's own line for each 4xx/5xx answer: the walk makes some on purpose.
    else if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of [45]\d\d/.test(m.text()))
      into.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => into.pageErrors.push(e.message));
}
