// The relay's start of an event's workflow as a span in the event's trace (docs/observability.md).
import { SpanKind, type Tracer } from '@opentelemetry/api';
import { eventAttributes } from './attributes.js';
import { endingSpan } from './request-span.js';
import { contextFromTraceparent } from './trace-context.js';

/**
 * The relay's start of an event's workflow, as a span whose parent is the span that accepted the event
 * (stored with it: its `traceparent`), so the start (and the workflow after it) joins the producer's trace
 * though it happens later, in another process. Without a tracer `start` runs as it is.
 */
export async function inRelayStartSpan<T>(
  tracer: Tracer | undefined,
  event: { tenant_id: string; id: string; type: string; workflow_id: string; traceparent: string | null },
  start: () => Promise<T>,
): Promise<T> {
  if (!tracer) return start();
  const attributes = eventAttributes({ tenantId: event.tenant_id, eventId: event.id, type: event.type, workflowId: event.workflow_id });
  return tracer.startActiveSpan('relay start', { kind: SpanKind.PRODUCER, attributes }, contextFromTraceparent(event.traceparent), (span) =>
    endingSpan(span, start),
  );
}
