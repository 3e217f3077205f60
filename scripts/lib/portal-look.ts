// The portal as the platform's own: a session made with a name, a data: logo and an accent colour shows
// them (with the strict CSP), titles every page with the name, and shows no "hookrelay" anywhere; the
// keyboard on it (a failed submit's summary, Escape on a shown secret, the skip link, focus after create
// and open); and the session's end: sign-out and an ended session are pages that say so, in the
// platform's name, with the link back it gave. Walked as the other tenant, whose log holds no test event.
import type { Page } from 'playwright-core';
import { watchPage, type PortalWalk } from './portal-walk.js';
import { step } from './portal-page.js';

// A 16×16 PNG in the accent colour: what a platform would pass as its logo.
const LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR42mPgjllLEmIY1TCqYfhqAAAZyhQQSiRdAQAAAABJRU5ErkJggg==';
const LOOK = { name: 'Acme Cloud', logo_url: LOGO, accent_color: '#0b5cad' } as const;
const RETURN_URL = 'https://dashboard.example.com/settings/webhooks';

const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${(el.textContent ?? '').trim().slice(0, 40)}` : 'none';
  });

/** Every branded page: the name, the logo, the colour, the title, and no "hookrelay" in its text. */
export async function checkWhiteLabel(walk: PortalWalk): Promise<void> {
  const { run, browser, link, other, otherSub, stack } = walk;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  watchPage(page, walk);
  try {
    // For one environment, so the header shows its tag too.
    const opened = await link({ environment: 'production', return_url: RETURN_URL, branding: LOOK }, other.id);
    await page.goto(opened.url);
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    await page.waitForLoadState('networkidle');
    const shown = await page.evaluate(() => {
      const logo = document.querySelector<HTMLImageElement>('header img.brand-logo');
      const primary = document.querySelector<HTMLElement>('.button.primary');
      return {
        name: document.querySelector('header .brand-name')?.textContent ?? '',
        logo: logo ? { src: logo.src.slice(0, 22), width: logo.naturalWidth, alt: logo.alt } : null,
        accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
        button: primary ? getComputedStyle(primary).backgroundColor : '',
      };
    });
    run.check(
      shown.name === LOOK.name && shown.logo?.width === 16 && shown.logo.src === LOGO.slice(0, 22) && shown.logo.alt === '',
      'a branded session shows the platform name and its data: logo (loaded under the CSP) in the header',
      () => JSON.stringify(shown),
    );
    run.check(
      shown.accent === LOOK.accent_color && shown.button === 'rgb(11, 92, 173)',
      "the platform's accent colour is applied (a CSS custom property set from script; no inline style)",
      () => JSON.stringify(shown),
    );
    await run.screenshot(page, '15-branded-list.png');
    await run.axe(page, 'the branded subscription list');

    const pages = [
      ['#/subscriptions', 'Subscriptions — Acme Cloud'],
      [`#/subscriptions/${otherSub.id}`, `Subscription ${otherSub.id} — Acme Cloud`],
      ['#/deliveries', 'Delivery log — Acme Cloud'],
      ['#/subscriptions/new', 'New subscription — Acme Cloud'],
    ] as const;
    for (const [hash, title] of pages) {
      await page.goto(`${stack.apiUrl}/portal/${hash}`);
      await page.locator('main h1').waitFor();
      await page.waitForLoadState('networkidle');
      const [text, titled] = [await page.evaluate(() => document.body.innerText + document.title), await page.title()];
      run.check(
        titled === title && !/hookrelay/i.test(text),
        `${hash} is titled "${title}" and shows no "hookrelay"`,
        () => `title "${titled}"; ${text.match(/.{0,40}hookrelay.{0,40}/i)?.[0] ?? ''}`,
      );
    }

    // The form, submitted without a URL: the API's 400 in a summary that takes focus and links each field;
    // the field says what is wrong.
    await step(run, page, 'a failed submit moves focus to the error summary', async () => {
      await page.locator('#f-all').check();
      await page.getByRole('button', { name: 'Create subscription' }).click();
      await page.locator('#error-summary').waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'error-summary', undefined, { timeout: 3_000 });
    });
    const summary = await page.locator('#error-summary').innerText();
    const urlField = await page.evaluate(() => {
      const input = document.getElementById('f-url');
      return { invalid: input?.getAttribute('aria-invalid'), describedBy: input?.getAttribute('aria-describedby') ?? '' };
    });
    run.check(
      /Check these fields/.test(summary) && /Endpoint URL/.test(summary) && !/\b(400|invalid_request)\b|retry_policy|event_types\b/.test(summary),
      'the error summary names the fields by their labels, with no status, code or API path',
      () => summary,
    );
    run.check(
      urlField.invalid === 'true' && urlField.describedBy.split(' ').includes('f-url-error'),
      'the refused field has aria-invalid and aria-describedby naming its error',
      () => JSON.stringify(urlField),
    );
    await run.screenshot(page, '16-failed-submit.png');
    await run.axe(page, 'the form after a failed submit');
    const before = page.url();
    await page.locator('#error-summary a', { hasText: 'Endpoint URL' }).click();
    const onField = await activeElement(page);
    run.check(
      onField.startsWith('input#f-url') && page.url() === before,
      "the summary's link moves focus to its field and leaves the address alone",
      () => `${onField}; ${page.url()}`,
    );

    // Created: focus on the page that shows the secret.
    await page.getByLabel('Endpoint URL').fill('https://example.com/branded');
    await page.locator('#f-all').check();
    await page.getByRole('button', { name: 'Create subscription' }).click();
    await page.getByRole('heading', { name: 'Subscription created' }).waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('main h1') ?? false, undefined, { timeout: 3_000 }).catch(() => undefined);
    const afterCreate = await activeElement(page);
    run.check(afterCreate === 'h1 Subscription created', 'after creating, focus is on "Subscription created"', () => afterCreate);
    await run.axe(page, 'the created page with its secret');

    // Opening a subscription from the list: focus on its heading once it has loaded.
    await page.goto(`${stack.apiUrl}/portal/#/subscriptions`);
    await page.getByRole('link', { name: /branded/ }).click();
    await page.getByRole('heading', { name: /branded/ }).waitFor();
    await page.waitForFunction(() => document.activeElement?.matches('main h1') ?? false, undefined, { timeout: 3_000 }).catch(() => undefined);
    const afterOpen = await activeElement(page);
    run.check(afterOpen.startsWith('h1 POST https://example.com/branded'), 'after opening a subscription, focus is on its heading', () => afterOpen);

    // The skip link moves focus to the content and stays on this page.
    // Reloaded, so the first Tab starts from the top of the page.
    const here = page.url();
    await page.reload();
    await page.getByRole('heading', { name: /branded/ }).waitFor();
    await page.keyboard.press('Tab');
    const first = await activeElement(page);
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    const skipped = await activeElement(page);
    run.check(
      first.startsWith('a Skip to content') &&
        skipped.startsWith('main#main') &&
        page.url() === here &&
        (await page.locator('main h1').innerText()).includes('branded'),
      'the skip link is the first Tab stop, moves focus to the content, and stays on the page',
      () => `first ${first}; then ${skipped}; ${here} → ${page.url()}`,
    );

    // A rotated secret is shown with focus on it; Escape takes it off the page, back on the button.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByLabel('New signing secret').waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'new-secret', undefined, { timeout: 3_000 }).catch(() => undefined);
    const onSecret = await activeElement(page);
    await run.axe(page, 'a subscription page with a new secret shown');
    await page.keyboard.press('Escape');
    await page.getByLabel('New signing secret').waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.id === 'rotate-secret', undefined, { timeout: 3_000 }).catch(() => undefined);
    const afterEscape = await activeElement(page);
    run.check(
      onSecret.startsWith('input#new-secret') && afterEscape.startsWith('button#rotate-secret'),
      'a new secret takes focus, and Escape hides it and returns to "Rotate secret"',
      () => `${onSecret} → ${afterEscape}`,
    );

    // Signing out is not an error: it says so, with the way back.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You signed out' }).waitFor();
    await checkEndPage(walk, page, 'You signed out', 'sign-out');
  } finally {
    await context.close();
  }
}

/** An ended session, in the page that was open and after a reload: "Your session has ended", with the way back. */
export async function checkSessionEnded(walk: PortalWalk): Promise<void> {
  const { run, browser, link, other, sql, stack } = walk;
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  watchPage(page, walk);
  try {
    const opened = await link({ return_url: RETURN_URL, branding: { name: LOOK.name } }, other.id);
    await page.goto(opened.url);
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    // The list's cards load their figures after the heading: once they have, the next request is the click's.
    await page.waitForLoadState('networkidle');
    // The session ends under the open page (as at its expiry): the next request answers 401.
    await sql(`UPDATE portal_sessions SET expires_at = now() WHERE tenant_id = $1 AND link_used_at IS NOT NULL AND expires_at > now()`, [other.id]);
    await page.getByRole('link', { name: 'Delivery log' }).click();
    await page.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    await checkEndPage(walk, page, 'Your session has ended', 'the ended session');
    await run.screenshot(page, '17-session-ended.png');
    await page.goto(`${stack.apiUrl}/portal/`);
    await page.getByRole('heading', { name: 'Your session has ended' }).waitFor();
    await checkEndPage(walk, page, 'Your session has ended', 'the ended session, reloaded');
  } finally {
    await context.close();
  }
}

async function checkEndPage({ run }: PortalWalk, page: Page, heading: string, what: string): Promise<void> {
  const text = await page.innerText('body');
  const back = await page.getByRole('link', { name: `Back to ${LOOK.name}` }).getAttribute('href');
  run.check(
    back === RETURN_URL && !/\b401\b|unauthori[sz]ed|bearer|token|error/i.test(text) && (await page.locator('[role="alert"], .error').count()) === 0,
    `${what}: "${heading}", not an error, with the link back to the return URL`,
    () => `back ${back}; ${text}`,
  );
  const title = await page.title();
  run.check(title === `${heading} — ${LOOK.name}`, `${what} is titled "${heading} — ${LOOK.name}"`, () => title);
  await run.axe(page, what);
}
