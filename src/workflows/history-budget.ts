import { workflowInfo } from '@temporalio/workflow';

/**
 * When a long-running workflow should continue as new: as soon as Temporal suggests it, or once its
 * history passes 10,000 events, far below the 51,200-event / 50 MB limit where Temporal stops a workflow.
 */
export function historyIsLong(): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > 10_000;
}
