// What the portal check asks of any page: a step that, when it breaks, saves the page as it was; every
// control labelled; and, at a phone's width, nothing wider than the screen, its title and no axe finding.
import type { Page } from 'playwright-core';
import { CheckFailed, type BrowserCheck } from './browser-check.js';
import { NARROW, WIDE, type PortalWalk } from './portal-walk.js';

/** Runs `fn`; on failure saves the page as it was and fails with `what`. */
export async function step<T>(run: BrowserCheck, page: Page, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof CheckFailed) throw error;
    const name = `failure-${run.count + 1}.png`;
    await run.screenshot(page, name).catch(() => undefined);
    run.fail(what, `${(error as Error).message.split('\n')[0]}\n(page ${page.url()}, screenshot ${name})`);
  }
}

/** Every form control on the page has an accessible name (a label, aria-label or its own text). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.$$eval('input, select, textarea, button, a[href]', (elements) =>
    elements.flatMap((el) => {
      const control = el as HTMLInputElement;
      const named =
        (control.labels && control.labels.length > 0) ||
        el.getAttribute('aria-label') ||
        el.getAttribute('aria-labelledby') ||
        ((el.tagName === 'BUTTON' || el.tagName === 'A') && (el.textContent ?? '').trim() !== '');
      return named ? [] : [el.outerHTML.slice(0, 120)];
    }),
  );
}

/** Waits until the page at `hash` has its heading and has loaded what it shows. */
export async function openPage({ stack, page }: PortalWalk, hash: string): Promise<void> {
  await page.goto(`${stack.apiUrl}/portal/${hash}`);
  await page.locator('main h1').waitFor();
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'));
}

/** Saves a screenshot and checks nothing on the page is wider than the viewport. */
export async function checkFits({ run, page }: PortalWalk, what: string, screenshot: string): Promise<void> {
  await run.screenshot(page, screenshot);
  const viewport = page.viewportSize()?.width ?? NARROW.width;
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const wide = await page.$$eval(
    'main *',
    (els, limit) =>
      els
        .filter((el) => el.getBoundingClientRect().right > limit + 1)
        .slice(-3)
        .map((el) => el.outerHTML.slice(0, 100)),
    viewport,
  );
  run.check(width <= viewport, `${what} fits ${viewport} px (document width ${width})`, () => `document width ${width}; widest: ${wide.join('\n')}`);
}

/**
 * At a phone's width (390 × 844), each page: nothing wider than the screen, its own title, and no serious
 * or critical axe finding. Then back to the laptop's size.
 */
export async function checkNarrowScreen(walk: PortalWalk, subId: string, deliveryId: string): Promise<void> {
  const { run, page } = walk;
  await page.setViewportSize(NARROW);
  for (const [hash, name, title] of [
    [`#/subscriptions/${subId}`, '10-narrow-subscription.png', `Subscription ${subId} — Webhooks`],
    ['#/deliveries', '11-narrow-delivery-log.png', 'Delivery log — Webhooks'],
    [`#/deliveries/${deliveryId}`, '11b-narrow-delivery.png', `Delivery ${deliveryId} — Webhooks`],
    ['#/subscriptions/new', '11c-narrow-form.png', 'New subscription — Webhooks'],
    ['#/subscriptions', '12-narrow-list.png', 'Subscriptions — Webhooks'],
  ] as const) {
    await openPage(walk, hash);
    await checkFits(walk, hash, name);
    const titled = await page.title();
    run.check(titled === title, `${hash} is titled "${title}"`, () => titled);
    await run.axe(page, `${hash} at ${NARROW.width} px`);
  }
  await page.setViewportSize(WIDE);
}
