// "Send a test event": the tenant picks a type (the test type, or one of the catalog), edits its payload
// (the type's example to start with), sees what the schema refuses beside the editor before anything is
// sent, then follows the one delivery attempt by attempt.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, type CatalogType, type Delivery, type ErrorDetail, type Subscription, type TestEventAccepted } from './api.js';
import { loadCatalog } from './event-types.js';
import { describedBy } from './form-fields.js';
import { checkPayload } from './payload-check.js';
import { href } from './router.js';
import { TEST_EVENT_TYPE } from '../../domain/event-type.js';
import { AttemptTable, ErrorBox, StatusBadge, eventTypeText, useLoad, usePoll } from './ui.js';

// TEST_EVENT_TYPE: every subscription takes a test of it, whatever its patterns; its payload is a short description of the test.

const exampleText = (type: CatalogType | undefined) => (type ? JSON.stringify(type.example, null, 2) : '');

export function TestEvent({ sub, onSettled }: { sub: Subscription; onSettled: () => void }) {
  const catalog = useLoad(loadCatalog, 'catalog');
  const [type, setType] = useState(TEST_EVENT_TYPE);
  const chosen = catalog.data?.find((t) => t.type === type);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<ErrorDetail[]>([]);
  const [deliveryId, setDeliveryId] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const delivery = useLoad(
    () => (deliveryId ? api<Delivery>('GET', `/v1/deliveries/${encodeURIComponent(deliveryId)}`) : Promise.resolve(undefined)),
    deliveryId ?? '',
  );
  usePoll(delivery.data?.status === 'pending', 1000, delivery.reload);
  const settled = delivery.data !== undefined && delivery.data.status !== 'pending';
  useEffect(() => {
    if (settled) onSettled();
  }, [settled, deliveryId]);
  // A new type starts from its example.
  useEffect(() => {
    setText(exampleText(chosen));
    setProblems([]);
  }, [type, catalog.data]);

  // While sending, the button is aria-disabled rather than disabled: a disabled button drops keyboard focus to the page's body.
  const send = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError(undefined);
    // Empty for the test type: the API's own description of the test.
    const checked = type === TEST_EVENT_TYPE && text.trim() === '' ? { problems: [] } : checkPayload(text, chosen?.schema ?? null);
    setProblems(checked.problems);
    if (checked.problems.length) {
      requestAnimationFrame(() => document.getElementById('test-payload')?.focus());
      return;
    }
    setBusy(true);
    try {
      const body = { ...(type === TEST_EVENT_TYPE ? {} : { event_type: type }), ...('payload' in checked ? { payload: checked.payload } : {}) };
      const sent = await api<TestEventAccepted>('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/test`, body);
      setDeliveryId(sent.delivery_id);
    } catch (failure) {
      // The API's field errors go beside their fields; anything else above the button.
      const fields = failure instanceof ApiFailure ? failure.details.filter((d) => d.path === 'event_type' || d.path.startsWith('payload')) : [];
      if (fields.length) setProblems(fields);
      else setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const typeError = problems.filter((p) => p.path === 'event_type');
  const payloadErrors = problems.filter((p) => p.path !== 'event_type');
  const d = delivery.data;
  return html`<section class="panel" aria-labelledby="test-h">
    <h2 id="test-h">Send a test event</h2>
    <p class="muted">Delivered to this subscription only, whatever event types it chose, and signed like any other.</p>
    <form onSubmit=${send} novalidate>
      <div class=${typeError.length ? 'field invalid' : 'field'}>
        <label for="test-type">Event type</label>
        <select
          id="test-type"
          value=${type}
          aria-invalid=${typeError.length ? 'true' : undefined}
          aria-describedby=${describedBy('test-type', typeError.length ? 'x' : undefined)}
          onChange=${(e: Event) => setType((e.target as HTMLSelectElement).value)}
        >
          <option value=${TEST_EVENT_TYPE}>${eventTypeText(TEST_EVENT_TYPE)}</option>
          ${(catalog.data ?? []).map((t) => html`<option key=${t.type} value=${t.type}>${t.type}${t.deprecated ? ' (deprecated)' : ''}</option>`)}
        </select>
        <p class="hint" id="test-type-hint">
          ${chosen ? chosen.description : 'A short description of the test, or the payload you write below.'} ${' '}<a href=${href('event-types')}
            >All event types</a
          >
        </p>
        ${typeError.length ? html`<p class="field-error" id="test-type-error">${typeError.map((p) => p.message).join('; ')}</p>` : null}
      </div>
      <div class=${payloadErrors.length ? 'field invalid' : 'field'}>
        <label for="test-payload">Payload (JSON)</label>
        <textarea
          id="test-payload"
          class="json-editor"
          spellcheck="false"
          rows="10"
          value=${text}
          aria-invalid=${payloadErrors.length ? 'true' : undefined}
          aria-describedby=${describedBy('test-payload', payloadErrors.length ? 'x' : undefined)}
          onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)}
        ></textarea>
        <p class="hint" id="test-payload-hint">
          ${
            chosen?.schema
              ? "Checked against the type's schema before it is sent."
              : type === TEST_EVENT_TYPE
                ? 'Leave empty for the standard test payload.'
                : 'This type has no schema: any JSON object.'
          }
        </p>
        ${
          payloadErrors.length
            ? html`<div class="field-error" id="test-payload-error">
                <p>The payload does not match the schema of ${type}:</p>
                <ul>
                  ${payloadErrors.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}
                </ul>
              </div>`
            : null
        }
      </div>
      <button type="submit" aria-disabled=${busy ? 'true' : undefined}>Send test event</button>
    </form>
    <${ErrorBox} error=${error} />
    ${
      d
        ? html`<div class="test-run" aria-live="polite">
            <p>
              Test delivery <a class="mono" href=${href(`deliveries/${d.id}`)}>${d.id}</a>:
              <${StatusBadge} status=${d.status} /> ${d.status === 'pending' ? html` <span class="muted">watching for attempts…</span>` : null}
            </p>
            <${AttemptTable} attempts=${d.attempts} caption="Attempts of the test delivery" />
          </div>`
        : null
    }
  </section>`;
}
