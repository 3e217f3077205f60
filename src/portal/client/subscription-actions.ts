// The panels of a subscription's page that act on it: recovery, secret rotation, enable, disable, delete (the
// test event has its own module, test-event.ts).
import { html } from 'htm/preact';
import { useCallback, useState } from 'preact/hooks';
import { api, type RotatedSecret, type Subscription } from './api.js';
import { navigate } from './router.js';
import { CopyOnce, ErrorBox, Time, focusWhenShown, useEscape } from './ui.js';

/** "Recover failed since …": redelivers this subscription's failed deliveries; shows the API's answer as it is. */
export function Recover({ sub }: { sub: Subscription }) {
  const [since, setSince] = useState('');
  const [result, setResult] = useState<unknown>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(undefined);
    setError(undefined);
    try {
      const body = { since: new Date(since).toISOString() };
      setResult(await api('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/recover`, body));
    } catch (failure) {
      setError(failure);
    }
  };
  const result_ = result as { deliveries?: number } | undefined;
  return html`<section class="panel" aria-labelledby="recover-h">
    <h2 id="recover-h">Recover failed deliveries</h2>
    <form onSubmit=${submit} class="row wrap">
      <label
        >Redeliver every failed delivery since
        <input type="datetime-local" required value=${since} onInput=${(e: Event) => setSince((e.target as HTMLInputElement).value)}
      /></label>
      <button type="submit">Recover</button>
    </form>
    <${ErrorBox} error=${error} />
    ${result_ ? html`<p role="status">Recovery started: ${result_.deliveries ?? 0} failed deliveries will be sent again.</p>` : null}
  </section>`;
}

/** Rotation, and until when each replaced secret still signs (its value is never shown again). */
export function Secret({ sub }: { sub: Subscription }) {
  const [rotated, setRotated] = useState<RotatedSecret | undefined>(undefined);
  const [shown, setShown] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const rotate = async () => {
    setError(undefined);
    try {
      setRotated(await api<RotatedSecret>('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/rotate-secret`));
      setShown(true);
      // The new value is what the user came for: focus it (selected, ready to copy).
      focusWhenShown('#new-secret, #new-public-key');
    } catch (e) {
      setError(e);
    }
  };
  // Escape (or Hide) takes the shown value off the page and returns to the button that made it.
  const hide = useCallback(() => {
    setShown(false);
    focusWhenShown('#rotate-secret');
  }, []);
  useEscape(shown, hide);
  const previous = rotated?.previous_secrets ?? sub.previous_secrets;
  return html`<section class="panel" aria-labelledby="secret-h">
    <h2 id="secret-h">Signing secret</h2>
    <p class="muted">
      Rotating makes a new secret; each replaced secret keeps signing beside it for 24 hours from its own replacement (at most 3 at once), so you can
      switch your receiver over.
    </p>
    ${
      previous.length
        ? html`<div class="previous-secrets">
            <p id="previous-secrets-h">Previous secrets still signing, newest first:</p>
            <ul aria-labelledby="previous-secrets-h">
              ${previous.map((p, i) => html`<li key=${i}>until <${Time} iso=${p.expires_at} /></li>`)}
            </ul>
          </div>`
        : html`<p class="small">No previous secret is signing: only the current one.</p>`
    }
    <button type="button" id="rotate-secret" onClick=${rotate}>Rotate secret</button>
    <${ErrorBox} error=${error} />
    ${rotated?.warning ? html`<p class="warning" role="alert">${rotated.warning}</p>` : null}
    ${
      shown && rotated
        ? html`<div class="shown-secret" role="group" aria-label="New secret">
            ${rotated.secret ? html`<${CopyOnce} id="new-secret" label="New signing secret" value=${rotated.secret} />` : null}
            ${rotated.public_key ? html`<${CopyOnce} id="new-public-key" label="New public key" value=${rotated.public_key} />` : null}
            <button type="button" onClick=${hide}>Hide (Esc)</button>
          </div>`
        : null
    }
  </section>`;
}

export function Danger({ sub, reload }: { sub: Subscription; reload: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const path = `/v1/subscriptions/${encodeURIComponent(sub.id)}`;
  const ask = () => {
    setConfirming(true);
    // The safe answer first: Enter on the confirmation keeps the subscription.
    focusWhenShown('#keep-subscription');
  };
  const cancel = useCallback(() => {
    setConfirming(false);
    focusWhenShown('#delete-subscription');
  }, []);
  useEscape(confirming, cancel);
  const toggle = async () => {
    setError(undefined);
    try {
      await api('PATCH', path, { enabled: !sub.enabled });
      await reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    try {
      await api('DELETE', path);
      // The list's heading takes focus once it shows (the router's hash change).
      navigate('subscriptions');
    } catch (e) {
      setError(e);
    }
  };
  return html`<section class="panel" aria-labelledby="state-h">
    <h2 id="state-h">Enable, disable, delete</h2>
    <div class="row wrap">
      <button type="button" onClick=${toggle}>${sub.enabled ? 'Disable' : 'Enable'}</button>
      ${
        confirming
          ? html`<div class="confirm" role="group" aria-label="Confirm deletion">
              <p>Delete this subscription? Its pending deliveries are cancelled; its delivery log stays readable.</p>
              <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
              <button type="button" id="keep-subscription" onClick=${cancel}>Keep it (Esc)</button>
            </div>`
          : html`<button type="button" id="delete-subscription" class="danger" onClick=${ask}>Delete…</button>`
      }
    </div>
    <p class="muted small">Disabling cancels its pending deliveries.</p>
    <${ErrorBox} error=${error} />
  </section>`;
}
