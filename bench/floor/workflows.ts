// The least a workflow can be: one workflow task, no activity. Temporal's own cost per event.
export async function noop(): Promise<number> {
  return 1;
}
