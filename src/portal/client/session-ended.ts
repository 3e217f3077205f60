// The page after the session ends: signed out by the user, or ended by time (an API request answered 401,
// or the page was opened again with the cookie of an ended session). Neither is an error: it says what
// happened and, when the session was made with a return URL, links back to the platform.
import { html } from 'htm/preact';
import { useEffect } from 'preact/hooks';
import { DEFAULT_PORTAL_NAME } from '../../domain/portal-branding.js';
import type { Look } from './api.js';
import { Brand, setTitle } from './look.js';

export type Ending = 'signed_out' | 'ended';

const WORDS: Record<Ending, { title: string; text: string }> = {
  signed_out: { title: 'You signed out', text: 'To manage your webhooks again, open this page again from your dashboard.' },
  ended: {
    title: 'Your session has ended',
    text: 'Sessions end after a while, to keep your account safe. Open this page again from your dashboard to carry on.',
  },
};

export function SessionEnded({ ending, look }: { ending: Ending; look: Look | undefined }) {
  const words = WORDS[ending];
  useEffect(() => {
    setTitle(words.title);
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [ending]);
  return html`${look ? html`<header class="bar"><${Brand} look=${look.branding} /></header>` : null}
    <main id="main" class="page" tabindex="-1">
      <h1 tabindex="-1">${words.title}</h1>
      <p>${words.text}</p>
      ${
        look?.return_url
          ? html`<p>
              <a class="button primary" href=${look.return_url}
                >Back to ${look.branding.name === DEFAULT_PORTAL_NAME ? 'the dashboard' : look.branding.name}</a
              >
            </p>`
          : null
      }
    </main>`;
}
