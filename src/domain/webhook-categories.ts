// Category webhooks (PUT /v1/webhooks/{category}): each category and the event types it receives. The
// API's schemas and routes and the CLI's help read this one declaration.
export const CATEGORY_EVENT_TYPES = {
  users: ['user.*'],
  accounts: ['account.*'],
  endpoints: ['endpoint.*'],
} as const;
export type Category = keyof typeof CATEGORY_EVENT_TYPES;
export const CATEGORIES = Object.keys(CATEGORY_EVENT_TYPES) as [Category, ...Category[]];
