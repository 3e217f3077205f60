// The FIFO lane's identity, shared by the workflow and the client that wakes it (pure: no workflow APIs).

export function laneWorkflowId(subscriptionId: string): string {
  return `lane:${subscriptionId}`;
}

export interface LaneWorkflowInput {
  subscriptionId: string;
  timeScale?: number;
}
