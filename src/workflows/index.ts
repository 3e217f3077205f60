// The worker's workflowsPath: every workflow type hookrelay runs.
export { eventWorkflow, notificationWorkflow } from './event-workflow.js';
export { eventSliceWorkflow } from './event-slices.js';
export { redeliveryWorkflow } from './redelivery-workflow.js';
export { laneWorkflow } from './fifo-lane-workflow.js';
export { purgeTenantWorkflow } from './purge-tenant.js';
export { recoverWorkflow } from './recover.js';
export { retentionWorkflow } from './retention.js';
