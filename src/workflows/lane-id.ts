// The FIFO lane's input, shared by the workflow and the client that wakes it (pure: no workflow APIs).
export { laneWorkflowId } from '../domain/workflow-ids.js';

export interface LaneWorkflowInput {
  subscriptionId: string;
  timeScale?: number;
}
