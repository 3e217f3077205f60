// The event type catalog: every type the platform sends, with its description, its JSON Schema and an
// example payload; the failure.* types explained in the tenant's words.
import { html } from 'htm/preact';
import { api, type CatalogType } from './api.js';
import { FAILURE_TYPES, isFailureType } from './failure-types.js';
import { ErrorBox, useLoad } from './ui.js';

export const loadCatalog = () => api<{ data: CatalogType[] }>('GET', '/v1/event-types').then((r) => r.data);

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

function TypeCard({ type }: { type: CatalogType }) {
  const id = `type-${type.type.replace(/[^a-z0-9_-]/g, '-')}`;
  return html`<li class="card" aria-labelledby=${id}>
    <div class="card-head">
      <h2 id=${id} class="mono">${type.type}</h2>
      ${type.deprecated ? html`<span class="badge badge-disabled">deprecated</span>` : null}
    </div>
    <p>${type.description}</p>
    ${type.deprecated ? html`<p class="small muted">Still sent, but being replaced: prefer its successor in new subscriptions.</p>` : null}
    ${isFailureType(type.type) ? html`<p class="small">${FAILURE_TYPES[type.type].meaning}</p>` : null}
    <details>
      <summary>Example payload</summary>
      <pre class="json">${pretty(type.example)}</pre>
    </details>
    <details>
      <summary>Schema</summary>
      ${type.schema ? html`<pre class="json">${pretty(type.schema)}</pre>` : html`<p class="small muted">No schema: any JSON object.</p>`}
    </details>
  </li>`;
}

export function EventTypeCatalog() {
  const catalog = useLoad(loadCatalog, 'catalog');
  const types = catalog.data ?? [];
  const listed = new Set(types.map((t) => t.type));
  return html`<section class="catalog">
    <h1 tabindex="-1">Event types</h1>
    <p class="muted">
      What your subscriptions can receive: the body of each request is the event's payload. A subscription chooses types by name or by pattern
      (<code>user.*</code>).
    </p>
    <${ErrorBox} error=${catalog.error} />
    ${catalog.loading ? html`<p aria-live="polite">Loading…</p>` : null}
    ${catalog.data && types.length === 0 ? html`<p>The catalog is empty: every event type is accepted, none is described yet.</p>` : null}
    <ul class="cards">
      ${types.map((t) => html`<${TypeCard} key=${t.type} type=${t} />`)}
    </ul>
    <section class="panel" aria-labelledby="failures-h">
      <h2 id="failures-h">Failure notifications</h2>
      <p>
        Events about your own webhooks, sent to the subscriptions that choose them (<code>failure.*</code> for all of them; a subscription to every
        event gets them too).
      </p>
      <dl class="failure-types">
        ${Object.entries(FAILURE_TYPES).map(
          ([type, help]) =>
            html`<div key=${type}>
              <dt><code>${type}</code>${listed.has(type) ? null : html` <span class="small muted">(not in the catalog)</span>`}</dt>
              <dd>
                <p>${help.meaning}</p>
                <p class="small">Fields: ${help.fields.map((f) => html`<code>${f}</code> `)}</p>
              </dd>
            </div>`,
        )}
      </dl>
    </section>
  </section>`;
}
