// Pure: which failure.extraction events count as the same notification (one per window).

/** The same (user, data source, reason) of a tenant is notified at most once per window. */
export function extractionKey(payload: Record<string, unknown>): string {
  const { user_id, data_source, reason } = payload as Record<string, string>;
  return `failure.extraction:${user_id}:${data_source}:${reason}`;
}
