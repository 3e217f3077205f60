/** The samples of one metric in a Prometheus text page, by their label set (`reason="in_flight"`; '' for none). */
export async function scrapeMetric(port: number | string, name: string): Promise<Map<string, number> | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      const labels = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.lastIndexOf('}')) : '';
      samples.set(labels, (samples.get(labels) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
    }
    return samples;
  } catch {
    return undefined;
  }
}

/** Sum of a counter over its labels in a Prometheus text page; undefined when the page cannot be read. */
export async function scrapeCounter(port: number | string, name: string): Promise<number | undefined> {
  const samples = await scrapeMetric(port, name);
  return samples && [...samples.values()].reduce((sum, v) => sum + v, 0);
}
