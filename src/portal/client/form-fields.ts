// Labelled inputs the subscription form is built of: a field with its hint and the API's error for it,
// and key/value rows.
import { html } from 'htm/preact';
import { ApiFailure } from './api.js';
import type { Pair } from './subscription-form-values.js';

/** Field path to what the API's 400 said of it (and of what lies below it: `rate_limit.requests` counts for `rate_limit`). */
export type FieldErrors = (path: string) => string | undefined;

export function fieldErrors(error: unknown): FieldErrors {
  const details = error instanceof ApiFailure ? error.details : [];
  return (path) => {
    const said = details.filter((d) => d.path === path || d.path.startsWith(`${path}.`)).map((d) => d.message);
    return said.length ? said.join('; ') : undefined;
  };
}

/** The ids an input of a Field is described by: its hint, and its error while there is one. */
export const describedBy = (id: string, error: string | undefined, hint = true) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

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

/** A labelled input with its hint; with `error`, what the API said of it, under it (the input names it in aria-describedby). */
export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: unknown }) {
  return html`<div class=${error ? 'field invalid' : 'field'}>
    <label for=${id}>${label}</label>
    ${children} ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
    ${error ? html`<p class="field-error" id=${`${id}-error`}>${error}</p>` : null}
  </div>`;
}
