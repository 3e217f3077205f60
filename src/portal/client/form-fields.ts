// Labelled inputs the subscription form is built of: a field with its hint, and key/value rows.
import { html } from 'htm/preact';
import type { Pair } from './subscription-form-values.js';

/** Key/value rows (headers, field map) with add and remove buttons; each input labelled. */
export function Pairs({
  legend,
  keyLabel,
  valueLabel,
  list,
  onChange,
  idPrefix,
}: {
  legend: string;
  keyLabel: string;
  valueLabel: string;
  list: Pair[];
  onChange: (list: Pair[]) => void;
  idPrefix: string;
}) {
  const set = (i: number, part: 'key' | 'value', value: string) => onChange(list.map((p, j) => (j === i ? { ...p, [part]: value } : p)));
  return html`<fieldset>
    <legend>${legend}</legend>
    ${list.map(
      (p, i) =>
        html`<div class="row wrap pair" key=${i}>
          <label for=${`${idPrefix}-k-${i}`}>${keyLabel} ${i + 1}</label>
          <input id=${`${idPrefix}-k-${i}`} value=${p.key} onInput=${(e: Event) => set(i, 'key', (e.target as HTMLInputElement).value)} />
          <label for=${`${idPrefix}-v-${i}`}>${valueLabel} ${i + 1}</label>
          <input id=${`${idPrefix}-v-${i}`} value=${p.value} onInput=${(e: Event) => set(i, 'value', (e.target as HTMLInputElement).value)} />
          <button type="button" aria-label=${`Remove ${keyLabel.toLowerCase()} ${i + 1}`} onClick=${() => onChange(list.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>`,
    )}
    <button type="button" onClick=${() => onChange([...list, { key: '', value: '' }])}>Add ${keyLabel.toLowerCase()}</button>
  </fieldset>`;
}

export function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: unknown }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children} ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
  </div>`;
}
