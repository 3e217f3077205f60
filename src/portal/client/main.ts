// The tenant portal's page: who it acts as (from GET /portal/session), the platform's look, the
// navigation, the pages, and the page it becomes when the session ends.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, useCsrfToken, whenSessionEnds, type Look, type Session } from './api.js';
import { DeliveryLog } from './deliveries.js';
import { DeliveryPage } from './delivery-page.js';
import { EventTypeCatalog } from './event-types.js';
import { Brand, applyLook, routeTitle, setTitle } from './look.js';
import { href, useRoute } from './router.js';
import { SessionEnded, type Ending } from './session-ended.js';
import { SubscriptionForm } from './subscription-form.js';
import { SubscriptionDetail } from './subscription-page.js';
import { SubscriptionList } from './subscriptions.js';
import { ErrorBox, Time } from './ui.js';

function Pages({ session }: { session: Session }) {
  const route = useRoute();
  const [first, second, third] = route.path;
  if (first === 'deliveries' && second) return html`<${DeliveryPage} key=${second} id=${second} />`;
  if (first === 'deliveries') return html`<${DeliveryLog} route=${route} session=${session} />`;
  if (first === 'event-types') return html`<${EventTypeCatalog} />`;
  if (first === 'subscriptions' && second === 'new') return html`<${SubscriptionForm} key="new" session=${session} />`;
  if (first === 'subscriptions' && second && third === 'edit')
    return html`<${SubscriptionForm} key=${`edit-${second}`} id=${second} session=${session} />`;
  if (first === 'subscriptions' && second) return html`<${SubscriptionDetail} key=${second} id=${second} />`;
  return html`<${SubscriptionList} session=${session} />`;
}

type Start = { session: Session } | { ending: Ending; look: Look | undefined } | { error: unknown };

/** GET /portal/session: the session; or, for the cookie of an ended one, its look and way back (a 401 `session_ended`). */
async function start(): Promise<Start> {
  try {
    return { session: await api<Session>('GET', '/portal/session') };
  } catch (error) {
    if (!(error instanceof ApiFailure) || error.status !== 401) return { error };
    return { ending: 'ended', look: (error.body as { ended?: Look } | undefined)?.ended };
  }
}

function App() {
  const [state, setState] = useState<Start | undefined>(undefined);
  const route = useRoute();
  useEffect(() => {
    void start().then((s) => {
      if ('session' in s) {
        useCsrfToken(s.session.csrf_token);
        applyLook(s.session.branding);
        // A request answering 401 while the page is open: the session ended under it.
        whenSessionEnds(() => setState({ ending: 'ended', look: s.session }));
      } else if ('look' in s && s.look) applyLook(s.look.branding);
      setState(s);
    });
  }, []);
  useEffect(() => {
    if (state && 'session' in state) setTitle(routeTitle(route));
  }, [state, route]);

  if (state && 'ending' in state) return html`<${SessionEnded} ending=${state.ending} look=${state.look} />`;
  if (!state || 'error' in state) {
    return html`<main id="main" class="page" tabindex="-1">
      <h1 tabindex="-1">${state ? 'This page could not be opened' : 'Loading…'}</h1>
      ${state ? html`<${ErrorBox} error=${state.error} />` : null}
    </main>`;
  }
  const { session } = state;
  const signOut = async () => {
    await api('POST', '/portal/logout').catch(() => undefined);
    setState({ ending: 'signed_out', look: session });
  };
  const section = route.path[0] ?? 'subscriptions';
  return html`<header class="bar">
      <div class="who">
        <${Brand} look=${session.branding} />
        <span class="tenant">
          <strong>${session.tenant.name}</strong>
          ${session.environment ? html` <span class="tag">${session.environment}</span>` : null}
          <span class="muted small"> · session ends <${Time} iso=${session.expires_at} /></span>
        </span>
      </div>
      <nav aria-label="Portal">
        <a href=${href('subscriptions')} aria-current=${section === 'subscriptions' ? 'page' : undefined}>Subscriptions</a>
        <a href=${href('deliveries')} aria-current=${section === 'deliveries' ? 'page' : undefined}>Delivery log</a>
        <a href=${href('event-types')} aria-current=${section === 'event-types' ? 'page' : undefined}>Event types</a>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </nav>
    </header>
    <main id="main" class="page" tabindex="-1"><${Pages} session=${session} /></main>`;
}

// The skip link moves focus to the content without touching the address: its hash is the router's.
document.querySelector('a.skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main')?.focus();
});

const root = document.getElementById('root')!;
if (root.dataset.state === 'app') {
  root.textContent = '';
  render(html`<${App} />`, root);
} else {
  document.title = `This link cannot be opened — ${document.title}`;
}
