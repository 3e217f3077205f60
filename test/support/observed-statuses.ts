// The statuses tests observed, route by route, checked against what the OpenAPI document declares: a
// client generated from the document must know every answer the API gives (hostile-input and fuzz).

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  params: number;
  statuses: Set<string>;
}

/** The document's operations, each with the pattern Express matches its path by (any case, an optional trailing slash). */
function operationsOf(document: { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> }): Operation[] {
  return Object.entries(document.paths).flatMap(([template, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({
      method: method.toUpperCase(),
      template,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}/?$`, 'i'),
      params: (template.match(/\{/g) ?? []).length,
      statuses: new Set(Object.keys(op.responses ?? {})),
    })),
  );
}

export class ObservedStatuses {
  private readonly seen = new Set<string>();

  /** `url`: what was requested (absolute, or a path with its query); its path is read as fetch sends it. */
  record(method: string, url: string, status: number): void {
    const { pathname } = new URL(url, 'http://localhost');
    this.seen.add(`${method.toUpperCase()} ${pathname} ${status}`);
  }

  get size(): number {
    return this.seen.size;
  }

  /**
   * `METHOD /template status` for each status observed on a route that its operation does not declare. A
   * request no route matched is left out: the document has no operation to declare its 404 on.
   */
  undeclared(document: Parameters<typeof operationsOf>[0]): string[] {
    const operations = operationsOf(document);
    const missing = new Set<string>();
    for (const entry of this.seen) {
      const [method, path, status] = entry.split(' ') as [string, string, string];
      // The literal route before a templated one (POST /v1/events/batch, not /v1/events/{id}).
      const op = operations.filter((o) => o.method === method && o.pattern.test(path)).sort((a, b) => a.params - b.params)[0];
      if (op && !op.statuses.has(status)) missing.add(`${method} ${op.template} ${status}`);
    }
    return [...missing].sort();
  }
}
