// Events and subscriptions each carry one; an event reaches only subscriptions of its environment.
// The database's CHECK constraint lists the same names (test/integration/pagination.test.ts compares them).
export const ENVIRONMENTS = ['sandbox', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const DEFAULT_ENVIRONMENT: Environment = 'production';
