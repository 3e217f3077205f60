// Temporal's own OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry, at the SDK's version),
// installed only when tracing is on: the client's on workflow starts (the trace context goes in the start's
// headers), the activities' on each execution, and a sink for the spans the workflow sandbox makes (its
// interceptors are in the traced workflow bundle: src/temporal/workflows-path.ts).
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { Tracing } from './tracing.js';
import { eventAttributes } from './attributes.js';
import { contextFromTraceparent } from './trace-context.js';

/** Puts the active span's context into each workflow start's headers. */
export function tracingClientInterceptors(): WorkflowClientInterceptor[] {
  return [new OpenTelemetryWorkflowClientInterceptor()];
}

/** A span per activity execution, child of the workflow's span that scheduled it (each retry is one more). */
export function tracingActivityInterceptors(): ActivityInterceptorsFactory[] {
  return [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })];
}

/**
 * The sink the workflow sandbox's spans leave by (not called during replay, so a replayed task exports
 * nothing twice). Temporal's exporter copies the workflow's info onto each span: only its identity is
 * passed here, never its memo, search attributes or last failure.
 */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<OpenTelemetrySinks> {
  const exporter = makeWorkflowExporter(tracing.spanProcessor, tracing.resource);
  return {
    exporter: {
      export: {
        ...exporter.export,
        fn: (info, spans) => {
          const { workflowId, runId, workflowType, taskQueue, namespace, attempt } = info;
          return exporter.export.fn({ workflowId, runId, workflowType, taskQueue, namespace, attempt } as typeof info, spans);
        },
      },
    },
  };
}

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
  return tracer.startActiveSpan('relay start', { kind: SpanKind.PRODUCER, attributes }, contextFromTraceparent(event.traceparent), async (span) => {
    try {
      return await start();
    } catch (error) {
      span.setAttribute(ATTR_ERROR_TYPE, (error as Error).name || 'Error');
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}
