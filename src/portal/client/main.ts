// The tenant portal's page: who it acts as (from GET /portal/session), the navigation, the pages.
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, useCsrfToken, type Session } from './api.js';
import { DeliveryLog, DeliveryPage } from './deliveries.js';
import { EventTypeCatalog } from './event-types.js';
import { href, useRoute } from './router.js';
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

function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const route = useRoute();
  useEffect(() => {
    api<Session>('GET', '/portal/session').then((s) => {
      useCsrfToken(s.csrf_token);
      setSession(s);
    }, setError);
  }, []);
  const signOut = async () => {
    await api('POST', '/portal/logout').catch(() => undefined);
    setSession(undefined);
    setError(new ApiFailure(401, 'signed_out', 'You signed out. Open the portal again from your dashboard.'));
  };
  if (!session) {
    return html`<main id="main" class="page">
      <h1 tabindex="-1">Webhooks</h1>
      ${error ? html`<${ErrorBox} error=${error} />` : html`<p aria-live="polite">Loading…</p>`}
    </main>`;
  }
  const section = route.path[0] ?? 'subscriptions';
  return html`<header class="bar">
      <div class="who">
        <strong>${session.tenant.name}</strong>
        ${session.environment ? html` <span class="tag">${session.environment}</span>` : null}
        <span class="muted small"> · session ends <${Time} iso=${session.expires_at} /></span>
      </div>
      <nav aria-label="Portal">
        <a href=${href('subscriptions')} aria-current=${section === 'subscriptions' ? 'page' : undefined}>Subscriptions</a>
        <a href=${href('deliveries')} aria-current=${section === 'deliveries' ? 'page' : undefined}>Delivery log</a>
        <a href=${href('event-types')} aria-current=${section === 'event-types' ? 'page' : undefined}>Event types</a>
        <button type="button" class="link" onClick=${signOut}>Sign out</button>
      </nav>
    </header>
    <main id="main" class="page"><${Pages} session=${session} /></main>`;
}

const root = document.getElementById('root')!;
if (root.dataset.state === 'app') {
  root.textContent = '';
  render(html`<${App} />`, root);
}
