// Temporal's own OpenTelemetry interceptors (@temporalio/interceptors-opentelemetry, at the SDK's version),
// installed only when tracing is on: the client's on workflow starts (the trace context goes in the start's
// headers), the activities' on each execution, and a sink for the spans the workflow sandbox makes (its
// interceptors are in the traced workflow bundle: src/temporal/workflows-path.ts). The package (and the
// OpenTelemetry SDK it loads) is imported only then.
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { Tracing } from './tracing.js';

export interface TemporalTracing {
  /** Put the active span's context into each workflow start's headers. */
  clientInterceptors: WorkflowClientInterceptor[];
  /** A span per activity execution, child of the workflow's span that scheduled it (each retry is one more). */
  activityInterceptors: ActivityInterceptorsFactory[];
  /** The sink the workflow sandbox's spans leave by. */
  sinks: InjectedSinks<OpenTelemetrySinks>;
}

export async function temporalTracing(tracing: Tracing): Promise<TemporalTracing> {
  const otel = await import('@temporalio/interceptors-opentelemetry');
  return {
    clientInterceptors: [new otel.OpenTelemetryWorkflowClientInterceptor()],
    activityInterceptors: [
      (ctx) => ({ inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx), outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx) }),
    ],
    sinks: workflowSpanSinks(otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource)),
  };
}

/**
 * The sink the workflow sandbox's spans leave by (not called during replay, so a replayed task exports
 * nothing twice). Temporal's exporter copies the workflow's info onto each span: only its identity is
 * passed here, never its memo, search attributes or last failure.
 */
function workflowSpanSinks(exporter: InjectedSinks<OpenTelemetrySinks>['exporter']): InjectedSinks<OpenTelemetrySinks> {
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
