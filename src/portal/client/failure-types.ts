// The `failure.*` event types in the tenant's words: what each tells them, when it comes, and what it carries
// (docs/notifications.md). Shown in the catalog whether or not the platform put them in it.
import type { NotificationType } from '../../workflows/notifications.js';

export interface FailureTypeHelp {
  /** When it is sent, and what to do about it. */
  meaning: string;
  fields: string[];
}

export const FAILURE_TYPES: Record<NotificationType, FailureTypeHelp> = {
  'failure.delivery': {
    meaning:
      'One of your endpoints did not accept an event: every attempt the retry policy allows failed, or it answered with a status that is not retried. The event was not delivered there; once the endpoint works again, redeliver it from the delivery log or recover the failed deliveries of the subscription.',
    fields: [
      'event_id',
      'event_type',
      'delivery_id',
      'subscription_id',
      'url',
      'attempts',
      'last_status_code',
      'last_error',
      'first_attempt_at',
      'last_attempt_at',
    ],
  },
  'failure.subscription_disabled': {
    meaning:
      'One of your subscriptions was switched off for you: its endpoint answered 410 Gone, or every attempt to it failed for too long. Nothing more is sent to it until you enable it again on its page.',
    fields: ['subscription_id', 'url', 'reason', 'disabled_at', 'event_id', 'delivery_id'],
  },
  'failure.extraction': {
    meaning:
      'The platform could not fetch data for one of your users from a data source (an error at the source, missing user information, invalid credentials or a refused permission). Sent at most once an hour for the same user, source and reason.',
    fields: ['user_id', 'data_source', 'reason'],
  },
};

export const isFailureType = (type: string): type is NotificationType => Object.hasOwn(FAILURE_TYPES, type);
