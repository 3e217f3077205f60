// The subscription form's fieldsets with more than one input: event types, retry policy, flow control.
import { html } from 'htm/preact';
import { MAX_IN_FLIGHT_BOUNDS, RATE_LIMIT_PERIODS, type RateLimitPeriod } from '../../domain/flow-control.js';
import { Field, aria, describedBy, type FieldErrors } from './form-fields.js';
import { FIELDS } from './subscription-fields.js';
import { retryPolicyText } from './retry-text.js';
import type { Custom, Form, SetField } from './subscription-form-values.js';

// Each preset described from its own definition (src/domain/retry-policy.ts), so the label cannot drift from it.
const PRESETS = [
  { value: 'default', label: `Default: ${retryPolicyText('default').toLowerCase()}` },
  { value: 'three_retries', label: `Three retries: ${retryPolicyText('three_retries').toLowerCase()}` },
  { value: 'none', label: 'No retry: one attempt' },
  { value: 'custom', label: 'Custom' },
] as const;

const value = (e: Event) => (e.target as HTMLInputElement).value;

/** "All events", the catalog's types as boxes (when there is a catalog), and typed patterns. */
export function EventTypeFields({ form, catalog, set, errors }: { form: Form; catalog: string[] | null; set: SetField; errors: FieldErrors }) {
  return html`<fieldset aria-describedby="f-types-hint">
    <legend>Event types</legend>
    <p class="hint" id="f-types-hint">What this endpoint receives: all events, or only the types and patterns you choose.</p>
    <label class="check"
      ><input type="checkbox" id="f-all" checked=${form.all} onChange=${(e: Event) => set('all', (e.target as HTMLInputElement).checked)} /> All
      events (<code>*</code>), including failure notifications and types added later</label
    >
    ${
      catalog?.length
        ? html`<div class="checks">
            ${catalog.map(
              (t) =>
                html`<label class="check" key=${t}>
                  <input
                    type="checkbox"
                    checked=${form.types.includes(t)}
                    onChange=${(e: Event) => set('types', (e.target as HTMLInputElement).checked ? [...form.types, t] : form.types.filter((x) => x !== t))}
                  />
                  <code>${t}</code></label
                >`,
            )}
          </div>`
        : null
    }
    <${Field}
      id=${FIELDS.event_types.id}
      label=${catalog?.length ? 'Other patterns' : 'Patterns'}
      hint="One per line: user.created, or user.* for everything below user. Lowercase, dotted."
      error=${errors('event_types')}
    >
      <textarea
        id=${FIELDS.event_types.id}
        rows="3"
        value=${form.patterns}
        onInput=${(e: Event) => set('patterns', value(e))}
        aria-describedby=${describedBy(FIELDS.event_types.id, errors('event_types'))}
        aria-invalid=${errors('event_types') ? 'true' : undefined}
      ></textarea>
    <//>
  </fieldset>`;
}

/** A preset, or each bound of a custom policy. */
export function RetryPolicyFields({ form, set, errors }: { form: Form; set: SetField; errors: FieldErrors }) {
  const c = form.custom;
  const at = (key: keyof Custom) => errors(`retry_policy.${key}`);
  const setCustom = (key: keyof Custom) => (e: Event) => set('custom', { ...c, [key]: value(e) });
  return html`<fieldset>
    <legend>Retry policy</legend>
    ${PRESETS.map(
      (p) =>
        html`<label class="check" key=${p.value}>
          <input type="radio" name="preset" value=${p.value} checked=${form.preset === p.value} onChange=${() => set('preset', p.value)} />
          ${p.label}</label
        >`,
    )}
    ${
      form.preset === 'custom'
        ? html`<div class="grid">
            <${Field}
              id=${FIELDS['retry_policy.initial_interval'].id}
              label=${FIELDS['retry_policy.initial_interval'].label}
              hint="e.g. 5s, 1m"
              error=${at('initial_interval')}
              ><input
                id=${FIELDS['retry_policy.initial_interval'].id}
                ...${aria(FIELDS['retry_policy.initial_interval'].id, at('initial_interval'))}
                value=${c.initial_interval}
                onInput=${setCustom('initial_interval')}
            /><//>
            <${Field}
              id=${FIELDS['retry_policy.backoff_coefficient'].id}
              label=${FIELDS['retry_policy.backoff_coefficient'].label}
              hint="1 to 10"
              error=${at('backoff_coefficient')}
              ><input
                id=${FIELDS['retry_policy.backoff_coefficient'].id}
                ...${aria(FIELDS['retry_policy.backoff_coefficient'].id, at('backoff_coefficient'))}
                type="number"
                min="1"
                max="10"
                step="0.1"
                value=${c.backoff_coefficient}
                onInput=${setCustom('backoff_coefficient')}
            /><//>
            <${Field}
              id=${FIELDS['retry_policy.maximum_interval'].id}
              label=${FIELDS['retry_policy.maximum_interval'].label}
              hint="at most 24h"
              error=${at('maximum_interval')}
              ><input
                id=${FIELDS['retry_policy.maximum_interval'].id}
                ...${aria(FIELDS['retry_policy.maximum_interval'].id, at('maximum_interval'))}
                value=${c.maximum_interval}
                onInput=${setCustom('maximum_interval')}
            /><//>
            <${Field}
              id=${FIELDS['retry_policy.maximum_attempts'].id}
              label=${FIELDS['retry_policy.maximum_attempts'].label}
              hint="1 to 1000"
              error=${at('maximum_attempts')}
              ><input
                id=${FIELDS['retry_policy.maximum_attempts'].id}
                ...${aria(FIELDS['retry_policy.maximum_attempts'].id, at('maximum_attempts'))}
                type="number"
                min="1"
                max="1000"
                value=${c.maximum_attempts}
                onInput=${setCustom('maximum_attempts')}
            /><//>
            <${Field}
              id=${FIELDS['retry_policy.max_duration'].id}
              label=${FIELDS['retry_policy.max_duration'].label}
              hint="e.g. 72h, at most 7d"
              error=${at('max_duration')}
              ><input
                id=${FIELDS['retry_policy.max_duration'].id}
                ...${aria(FIELDS['retry_policy.max_duration'].id, at('max_duration'))}
                value=${c.max_duration}
                onInput=${setCustom('max_duration')}
            /><//>
            <${Field}
              id=${FIELDS['retry_policy.non_retryable_statuses'].id}
              label=${FIELDS['retry_policy.non_retryable_statuses'].label}
              hint="HTTP statuses not retried, e.g. 400, 422"
              error=${at('non_retryable_statuses')}
              ><input
                id=${FIELDS['retry_policy.non_retryable_statuses'].id}
                ...${aria(FIELDS['retry_policy.non_retryable_statuses'].id, at('non_retryable_statuses'))}
                value=${c.non_retryable_statuses}
                onInput=${setCustom('non_retryable_statuses')}
            /><//>
          </div>`
        : null
    }
  </fieldset>`;
}

/** The rate limit, the attempts in flight at once and FIFO ordering. */
export function FlowControlFields({ form, set, errors }: { form: Form; set: SetField; errors: FieldErrors }) {
  const { min, max } = MAX_IN_FLIGHT_BOUNDS;
  return html`<fieldset>
    <legend>Flow control</legend>
    <div class="row wrap">
      <${Field}
        id=${FIELDS.rate_limit.id}
        label=${FIELDS.rate_limit.label}
        hint="Attempts (retries included), 1 to 100000; empty for no limit. Deliveries over it wait for their turn."
        error=${errors('rate_limit')}
      >
        <input
          id=${FIELDS.rate_limit.id}
          type="number"
          min="1"
          max="100000"
          value=${form.rate_requests}
          onInput=${(e: Event) => set('rate_requests', value(e))}
          aria-describedby=${describedBy(FIELDS.rate_limit.id, errors('rate_limit'))}
          aria-invalid=${errors('rate_limit') ? 'true' : undefined}
        />
      <//>
      <${Field} id="f-rate-per" label="per">
        <select id="f-rate-per" value=${form.rate_per} onChange=${(e: Event) => set('rate_per', value(e) as RateLimitPeriod)}>
          ${RATE_LIMIT_PERIODS.map((p) => html`<option value=${p} key=${p}>${p}</option>`)}
        </select>
      <//>
      <${Field}
        id=${FIELDS.max_in_flight.id}
        label=${FIELDS.max_in_flight.label}
        hint=${`Attempts in flight at once, ${min} to ${max}; more wait their turn.`}
        error=${errors('max_in_flight')}
      >
        <input
          id=${FIELDS.max_in_flight.id}
          type="number"
          min=${min}
          max=${max}
          value=${form.max_in_flight}
          onInput=${(e: Event) => set('max_in_flight', value(e))}
          aria-describedby=${describedBy(FIELDS.max_in_flight.id, errors('max_in_flight'))}
          aria-invalid=${errors('max_in_flight') ? 'true' : undefined}
        />
      <//>
    </div>
    <label class="check"
      ><input
        type="checkbox"
        checked=${form.ordering === 'fifo'}
        onChange=${(e: Event) => set('ordering', (e.target as HTMLInputElement).checked ? 'fifo' : 'none')}
      />
      FIFO: deliver one at a time, in the order events were accepted (a retrying delivery holds the ones behind it)</label
    >
  </fieldset>`;
}
