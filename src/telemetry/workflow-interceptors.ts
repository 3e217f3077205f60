// The workflow interceptors of the traced workflow bundle (src/temporal/workflows-path.ts): Temporal's
// OpenTelemetry ones, which make the workflow's spans in the sandbox (exported through the worker's sink,
// never during replay) and pass the trace context on in the headers of its activities and children. They
// add no command, so a history replays the same with or without them (test/integration/replay.test.ts).
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';
