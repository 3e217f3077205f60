// What the portal check asks of any page: a step that, when it breaks, saves the page as it was; every
// control labelled; and nothing wider than a phone's screen.
import type { Page } from 'playwright-core';
import { CheckFailed, type BrowserCheck } from './browser-check.js';
import type { PortalWalk } from './portal-walk.js';

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

/** The two sizes the check walks the portal at: a desktop's and a phone's. */
export const WIDE = { width: 1440, height: 900 } as const;
export const NARROW = { width: 390, height: 844 } as const;

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

/** At a phone's width, nothing is wider than the screen: the subscription's page, the delivery log, the list. */
export async function checkNarrowScreen(walk: PortalWalk, subId: string): Promise<void> {
  const { stack, page } = walk;
  await page.setViewportSize(NARROW);
  for (const [hash, name] of [
    [`#/subscriptions/${subId}`, '10-narrow-subscription.png'],
    ['#/deliveries', '11-narrow-delivery-log.png'],
    ['#/subscriptions', '12-narrow-list.png'],
  ] as const) {
    await page.goto(`${stack.apiUrl}/portal/${hash}`);
    await page.locator('main h1').waitFor();
    await page.waitForLoadState('networkidle');
    await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('Loading…'));
    await checkFits(walk, hash, name);
  }
  await page.setViewportSize(WIDE);
}
