// Create or edit a subscription, every field of the API's SubscriptionCreate.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, type EventType, type Session, type Subscription } from './api.js';
import { href, navigate } from './router.js';
import { CopyOnce, ErrorBox, focusWhenShown } from './ui.js';
import { ERROR_SUMMARY_ID, ErrorSummary, Field, Pairs, describedBy, fieldErrors } from './form-fields.js';
import { FIELDS, fieldFor } from './subscription-fields.js';
import { EventTypeFields, FlowControlFields, RetryPolicyFields } from './subscription-fieldsets.js';
import { fromSubscription, toBody, type Form, type Pair, type SetField } from './subscription-form-values.js';

export function SubscriptionForm({ id, session }: { id?: string; session: Session }) {
  const [form, setForm] = useState<Form | undefined>(id ? undefined : fromSubscription(undefined, session));
  const [catalog, setCatalog] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<Subscription | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (id) api<Subscription>('GET', `/v1/subscriptions/${encodeURIComponent(id)}`).then((s) => setForm(fromSubscription(s, session)), setError);
    // The catalog, where the service has one; otherwise patterns are typed.
    api<{ data: EventType[] }>('GET', '/v1/event-types')
      .then((r) =>
        setCatalog(
          r.data
            .filter((t) => !t.deprecated)
            .map((t) => t.type ?? t.name ?? '')
            .filter(Boolean),
        ),
      )
      .catch(() => setCatalog([]));
  }, [id]);

  useEffect(() => {
    // Types of the catalog already in the patterns show as ticked boxes instead.
    if (!form || !catalog?.length) return;
    const typed = form.patterns.split(/[\s,]+/).filter(Boolean);
    const ticked = typed.filter((t) => catalog.includes(t));
    if (ticked.length)
      setForm({ ...form, types: [...new Set([...form.types, ...ticked])], patterns: typed.filter((t) => !catalog.includes(t)).join('\n') });
  }, [catalog, form === undefined]);

  if (created?.public_key) {
    return html`<section>
      <h1 tabindex="-1">Subscription created</h1>
      <p>
        Requests to <span class="mono break">${created.url}</span> are signed with ed25519 (Standard Webhooks <code>v1a</code>); your receiver
        verifies them with this public key. It is also shown on the subscription's page.
      </p>
      <${CopyOnce} id="created-public-key" label="Public key" value=${created.public_key} />
      <p><a class="button primary" href=${href(`subscriptions/${created.id}`)}>Go to the subscription</a></p>
    </section>`;
  }
  if (created?.secret) {
    return html`<section>
      <h1 tabindex="-1">Subscription created</h1>
      <p>Requests to <span class="mono break">${created.url}</span> are signed with this secret (Standard Webhooks).</p>
      <${CopyOnce} id="created-secret" label="Signing secret" value=${created.secret} />
      <p><a class="button primary" href=${href(`subscriptions/${created.id}`)}>Go to the subscription</a></p>
    </section>`;
  }
  if (!form)
    return html`<section>
      <h1 tabindex="-1">Edit subscription</h1>
      ${error ? html`<${ErrorBox} error=${error} />` : html`<p>Loading…</p>`}
    </section>`;

  const set: SetField = (key, value) => setForm({ ...form, [key]: value });
  // What the API's 400 said of each field, shown under the field as well as in the summary above the form.
  const errors = fieldErrors(error);
  const invalid = (path: string) => (errors(path) ? 'true' : undefined);
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  // While saving, the button is aria-disabled rather than disabled (which would drop focus to the page's body).
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = toBody(form);
      if (body.event_types.length === 0) {
        throw new ApiFailure(400, 'invalid_request', 'choose the events this endpoint receives', [
          { path: 'event_types', message: 'tick "All events", tick one or more types, or type a pattern' },
        ]);
      }
      if (id) {
        await api('PATCH', `/v1/subscriptions/${encodeURIComponent(id)}`, body);
        navigate(`subscriptions/${id}`);
      } else {
        setCreated(await api<Subscription>('POST', '/v1/subscriptions', body));
        // The page becomes "Subscription created", with the secret: start there.
        focusWhenShown('main h1');
      }
    } catch (failure) {
      setError(failure);
      focusWhenShown(`#${ERROR_SUMMARY_ID}`);
    } finally {
      setBusy(false);
    }
  };

  return html`<section>
    <p><a href=${id ? href(`subscriptions/${id}`) : href('subscriptions')}>← Back</a></p>
    <h1 tabindex="-1">${id ? 'Edit subscription' : 'New subscription'}</h1>
    <${ErrorSummary} error=${error} fieldFor=${fieldFor} />
    <form onSubmit=${submit} novalidate>
      <${Field} id=${FIELDS.url.id} label=${FIELDS.url.label} hint="http or https; where each event is sent." error=${errors('url')}>
        <input
          id=${FIELDS.url.id}
          type="url"
          required
          value=${form.url}
          onInput=${(e: Event) => set('url', value(e))}
          aria-describedby=${describedBy(FIELDS.url.id, errors('url'))}
          aria-invalid=${invalid('url')}
        />
      <//>
      <div class="row wrap">
        <${Field} id=${FIELDS.method.id} label=${FIELDS.method.label} error=${errors('method')}>
          <select
            id=${FIELDS.method.id}
            value=${form.method}
            aria-describedby=${describedBy(FIELDS.method.id, errors('method'), false)}
            aria-invalid=${invalid('method')}
            onChange=${(e: Event) => set('method', value(e) as Form['method'])}
          >
            <option>POST</option>
            <option>PUT</option>
          </select>
        <//>
        <${Field}
          id=${FIELDS.environment.id}
          label=${FIELDS.environment.label}
          hint=${session.environment ? 'This portal is for this environment only.' : undefined}
          error=${errors('environment')}
        >
          <select
            id=${FIELDS.environment.id}
            value=${form.environment}
            aria-describedby=${describedBy(FIELDS.environment.id, errors('environment'), Boolean(session.environment))}
            aria-invalid=${invalid('environment')}
            disabled=${Boolean(session.environment)}
            onChange=${(e: Event) => set('environment', value(e) as Form['environment'])}
          >
            <option value="production">production</option>
            <option value="sandbox">sandbox</option>
          </select>
        <//>
        ${
          id
            ? null
            : html`<${Field}
                id=${FIELDS.signature.id}
                label=${FIELDS.signature.label}
                hint="Chosen once: ed25519 lets your receiver verify with a public key."
                error=${errors('signature')}
              >
                <select
                  id=${FIELDS.signature.id}
                  value=${form.signature}
                  aria-describedby=${describedBy(FIELDS.signature.id, errors('signature'), true)}
                  aria-invalid=${invalid('signature')}
                  onChange=${(e: Event) => set('signature', value(e) as Form['signature'])}
                >
                  <option value="hmac-sha256">HMAC-SHA256 (shared secret)</option>
                  <option value="ed25519">Ed25519 (public key)</option>
                </select>
              <//>`
        }
        <${Field} id=${FIELDS.timeout_ms.id} label=${FIELDS.timeout_ms.label} hint="1000 to 60000." error=${errors('timeout_ms')}>
          <input
            id=${FIELDS.timeout_ms.id}
            type="number"
            min="1000"
            max="60000"
            step="100"
            value=${form.timeout_ms}
            onInput=${(e: Event) => set('timeout_ms', value(e))}
            aria-describedby=${describedBy(FIELDS.timeout_ms.id, errors('timeout_ms'))}
            aria-invalid=${invalid('timeout_ms')}
          />
        <//>
      </div>
      <${Field} id=${FIELDS.description.id} label=${FIELDS.description.label} error=${errors('description')}>
        <input
          id=${FIELDS.description.id}
          value=${form.description}
          onInput=${(e: Event) => set('description', value(e))}
          aria-describedby=${describedBy(FIELDS.description.id, errors('description'), false)}
          aria-invalid=${invalid('description')}
        />
      <//>
      <${EventTypeFields} form=${form} catalog=${catalog} set=${set} errors=${errors} />
      <${RetryPolicyFields} form=${form} set=${set} errors=${errors} />
      <${FlowControlFields} form=${form} set=${set} errors=${errors} />
      <${Pairs}
        legend="Headers sent with each request"
        keyLabel="Header"
        valueLabel="Value"
        idPrefix="h"
        list=${form.headers}
        onChange=${(l: Pair[]) => set('headers', l)}
      />
      <${Pairs}
        legend="Field map: rename payload fields"
        keyLabel="Field"
        valueLabel="Renamed to"
        idPrefix="m"
        list=${form.field_map}
        onChange=${(l: Pair[]) => set('field_map', l)}
      />
      <label class="check"
        ><input type="checkbox" checked=${form.enabled} onChange=${(e: Event) => set('enabled', (e.target as HTMLInputElement).checked)} />
        Enabled</label
      >
      <div class="row wrap">
        <button type="submit" class="primary" aria-disabled=${busy ? 'true' : undefined}>${id ? 'Save' : 'Create subscription'}</button>
        <a class="button" href=${id ? href(`subscriptions/${id}`) : href('subscriptions')}>Cancel</a>
      </div>
    </form>
  </section>`;
}
