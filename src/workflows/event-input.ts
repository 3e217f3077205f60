// The input of an event's workflow and of a notification's: a module of its own, so that notifications.ts
// (which event-workflow.ts imports) needs nothing from event-workflow.ts.
import type { Environment } from '../domain/environment.js';

export interface EventWorkflowInput {
  tenantId: string;
  eventId: string;
  environment: Environment;
  type: string;
  /**
   * Only in notifications, whose payload hookrelay makes (dispatchEvent stores it): an event posted by the
   * producer is read from PostgreSQL, so its payload never enters history.
   */
  payload?: Record<string, unknown>;
  /** Shrinks every retry interval (tests); 1 in production. */
  timeScale?: number;
}
