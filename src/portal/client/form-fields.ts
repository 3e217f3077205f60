// Labelled inputs the subscription form is built of: a field with its hint and the API's error for it,
// key/value rows, and the summary of what a failed submit found, above the form.
import { html } from 'htm/preact';
import { ApiFailure } from './api.js';
import { detailsOf, errorText } from './error-text.js';
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

/** aria-describedby and aria-invalid of an input of a Field, to spread onto it (`...${aria(id, error)}`). */
export const aria = (id: string, error: string | undefined, hint = true) => ({
  'aria-describedby': describedBy(id, error, hint),
  'aria-invalid': error ? 'true' : undefined,
});

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

/** A form's input for an API field path: its element id and its label. */
export interface FormField {
  id: string;
  label: string;
}

export const ERROR_SUMMARY_ID = 'error-summary';

/**
 * Above the form after a failed submit: what was wrong, each field a link that moves focus to it. It takes
 * focus itself (the form focuses `#error-summary`), so a keyboard or screen-reader user hears it first.
 * `fieldFor` maps an API path (`retry_policy.maximum_attempts`) to the form's input, when it has one.
 */
export function ErrorSummary({ error, fieldFor }: { error: unknown; fieldFor: (path: string) => FormField | undefined }) {
  if (!error) return null;
  const details = error instanceof ApiFailure && error.status === 400 ? error.details : [];
  const words = detailsOf(error, (path) => fieldFor(path)?.label);
  // The fields are links, but the hash is the router's: focus the input without touching the address.
  const go = (id: string) => (e: Event) => {
    e.preventDefault();
    const input = document.getElementById(id);
    input?.focus();
    input?.scrollIntoView({ block: 'center' });
  };
  return html`<div class="error error-summary" id=${ERROR_SUMMARY_ID} tabindex="-1" role="alert" aria-labelledby="error-summary-h">
    <h2 id="error-summary-h">${details.length ? 'Check these fields' : 'That did not work'}</h2>
    <p>${errorText(error)}</p>
    ${
      words.length
        ? html`<ul>
            ${words.map((w, i) => {
              const field = fieldFor(details[i]!.path);
              return html`<li key=${i}>
                ${field ? html`<a href=${`#${field.id}`} onClick=${go(field.id)}>${w.label}: ${w.message}</a>` : html`${w.label}: ${w.message}`}
              </li>`;
            })}
          </ul>`
        : null
    }
  </div>`;
}
