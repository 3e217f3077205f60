// The platform's look on the page: its name (header and every page's title), its logo and its accent
// colour. The accent is set as the --accent custom property through the CSSOM, which the CSP's
// style-src 'self' allows (it forbids style attributes in markup, not script setting a property).
import { html } from 'htm/preact';
import { DEFAULT_PORTAL_NAME } from '../../domain/portal-branding.js';
import type { Look } from './api.js';
import type { Route } from './router.js';

let portalName = DEFAULT_PORTAL_NAME;

/** Applies the session's look to the document; the name is remembered for page titles. */
export function applyLook(look: Look['branding']): void {
  portalName = look.name;
  if (look.accent_color) document.documentElement.style.setProperty('--accent', look.accent_color);
}

/** Sets the document's title: the page, then the platform's name ("Subscriptions — Acme Cloud"). */
export function setTitle(page: string): void {
  document.title = `${page} — ${portalName}`;
}

/** Each route's title, so a browser tab, history entry and screen reader name the page. */
export function routeTitle(route: Route): string {
  const [first, second, third] = route.path;
  if (first === 'deliveries' && second) return `Delivery ${second}`;
  if (first === 'deliveries') return 'Delivery log';
  if (first === 'event-types') return 'Event types';
  if (first === 'subscriptions' && second === 'new') return 'New subscription';
  if (first === 'subscriptions' && second && third === 'edit') return `Edit subscription ${second}`;
  if (first === 'subscriptions' && second) return `Subscription ${second}`;
  return 'Subscriptions';
}

/** The platform's logo (decorative: its name is beside it) and name. */
export function Brand({ look }: { look: Look['branding'] }) {
  return html`<span class="brand">
    ${look.logo_url ? html`<img class="brand-logo" src=${look.logo_url} alt="" />` : null}
    <span class="brand-name">${look.name}</span>
  </span>`;
}
