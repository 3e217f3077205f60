// The documentation describes the tree as it is: a short README, no dated stories, links that resolve,
// a module map with every file under src/ and tools/, the configuration of src/config.ts in the docs'
// table and in .env.example, every metric in docs/operations.md, and the performance table equal to the
// committed benchmark results.
import { ENV_VARIABLES } from '../../src/config.js';
import { createApiMetrics, createWorkerMetrics, registerCircuitGauge, registerWaitingGauge } from '../../src/metrics.js';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const exists = (rel: string) => existsSync(path.join(ROOT, rel));

/** Files under `dir` (relative to the root, `/`-separated), recursively; none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!exists(dir)) return [];
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .map((entry) => `${dir}/${entry.split(path.sep).join('/')}`)
    .filter((rel) => statSync(path.join(ROOT, rel)).isFile())
    .sort();
}

const MARKDOWN = ['README.md', ...filesUnder('docs').filter((f) => f.endsWith('.md'))];

/** Text outside fenced code blocks (links and headings there are not links and headings). */
const proseOf = (text: string) => text.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** The contents of inline code spans outside fenced blocks. */
const codeSpans = (text: string) => [...proseOf(text).matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);

/** GitHub's anchors for a page's headings (lowercased, punctuation dropped, spaces to hyphens, -1… for repeats). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of proseOf(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = heading!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count ? `${base}-${count}` : base);
  }
  return anchors;
}

describe('README', () => {
  const readme = read('README.md');

  it('is at most 250 lines', () => {
    const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
    expect(lines).toBeLessThanOrEqual(250);
  });

  it('names the two commands, the API reference and every page of docs/', () => {
    for (const phrase of ['npm run dev', 'npm test', '/openapi.json', '/docs']) expect(readme).toContain(phrase);
    for (const page of MARKDOWN.filter((f) => f.startsWith('docs/'))) expect(readme, page).toContain(`(${page})`);
    expect(readme, 'versioning.md is written beside this page').toContain('(docs/versioning.md)');
  });
});

describe('README.md and docs/ describe the current state only', () => {
  const NARRATIVE: RegExp[] = [
    /\b(19|20)\d\d-(\d\d-\d\d|…)/, // a date (not a JSON Schema draft name such as 2020-12): history lives in the commits
    /\bthis (session|round|week)\b/i,
    /\b(next|previous|last|earlier|that) session\b/i,
    /\bthis machine\b/i,
    /\bmain at `?[0-9a-f]{7,}/i,
  ];

  it.each(MARKDOWN)('%s holds no date or session story', (file) => {
    const text = read(file);
    for (const pattern of NARRATIVE) {
      const found = text.match(pattern);
      expect(found?.[0], `${file}: ${pattern}`).toBeUndefined();
    }
  });

  it.each(MARKDOWN)('%s: every relative link and anchor resolves inside the repository', (file) => {
    const text = proseOf(read(file)).replace(/`[^`\n]*`/g, '``');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue; // http:, https:, mailto:
      const [pathPart, anchor] = target!.split('#') as [string, string | undefined];
      const resolved = pathPart ? path.resolve(path.dirname(path.join(ROOT, file)), decodeURIComponent(pathPart)) : path.join(ROOT, file);
      if (!resolved.startsWith(ROOT + path.sep)) broken.push(`${target} (outside the repository)`);
      else if (!existsSync(resolved)) broken.push(`${target} (no such file)`);
      else if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
        broken.push(`${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(MARKDOWN)('%s: every path it names in code exists', (file) => {
    const missing = new Set<string>();
    for (const span of codeSpans(read(file))) {
      for (const [, rel] of span.matchAll(/(?<![\w./$-])((?:src|tools|test|bench|scripts|deploy|migrations|docs)\/[\w./-]*)/g)) {
        const clean = rel!.replace(/[.,]+$/, '');
        // The committed results are checked against the performance table below, once they are there.
        if (clean.startsWith('bench/results/')) continue;
        if (!exists(clean)) missing.add(clean);
      }
    }
    expect([...missing]).toEqual([]);
  });
});

describe('docs/architecture.md module map', () => {
  const map = read('docs/architecture.md');
  const named = new Set(codeSpans(map));
  const files = [...filesUnder('src'), ...filesUnder('tools')];

  it('finds the source tree', () => {
    expect(files).toContain('src/config.ts');
  });

  it('lists every file under src/ and tools/', () => {
    expect(files.filter((file) => !named.has(file))).toEqual([]);
  });

  it('names no file or folder under src/ or tools/ that does not exist', () => {
    const stale = [...named].filter((token) => /^(src|tools)\/[\w./-]*$/.test(token) && !exists(token.replace(/\/$/, '')));
    expect(stale).toEqual([]);
  });
});

describe('configuration: src/config.ts, docs/operations.md and .env.example agree', () => {
  const configVars = Object.keys(ENV_VARIABLES).sort();

  it('reads the variables out of the env schema', () => {
    expect(configVars).toContain('DATABASE_URL');
    expect(configVars.length).toBeGreaterThan(20);
  });

  it("the docs' configuration table lists exactly those variables", () => {
    const ops = read('docs/operations.md');
    const section = ops.slice(ops.indexOf('\n## Configuration\n'));
    const table = section.slice(0, section.slice(1).search(/\n#{2,3} /) + 1);
    const rows = table.split('\n').filter((line) => line.startsWith('| `'));
    const documented = rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!));
    expect(new Set(documented).size, 'each variable once').toBe(documented.length);
    expect(documented.sort()).toEqual(configVars);
  });

  it('.env.example lists every one of them, and otherwise only what docker-compose.yml reads', () => {
    const listed = [...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    const composeVars = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect(configVars.filter((name) => !listed.includes(name))).toEqual([]);
    expect(listed.filter((name) => !configVars.includes(name) && !composeVars.has(name))).toEqual([]);
  });
});

describe('docs/performance.md shows the committed benchmark results', () => {
  const doc = read('docs/performance.md');
  /** The rows of the table under a heading: each a list of its cells. */
  const tableRows = (heading: string) => {
    const section = doc.slice(doc.indexOf(heading));
    return section
      .slice(0, section.slice(1).search(/\n## /) + 1)
      .split('\n')
      .filter((line) => /^\|[^|]*\| `[\w.]+` \|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
  };
  /** The figures in `column` that differ from the file's value at the row's key, rounded as shown. */
  const mismatches = (table: string[][], file: string, column: number) => {
    const results = JSON.parse(read(file)) as Record<string, unknown>;
    const wrong: string[] = [];
    for (const row of table) {
      const key = row[1]!.replace(/`/g, '');
      const shown = row[column]!;
      if (shown === '—') continue;
      const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], results);
      const decimals = shown.split('.')[1]?.length ?? 0;
      const number = Number(shown.replace(/,/g, ''));
      if (typeof value !== 'number' || Math.abs(value - number) > 0.5 * 10 ** -decimals + 1e-9)
        wrong.push(`${key}: shown ${shown}, the file has ${String(value)}`);
    }
    return wrong;
  };
  const rows = tableRows('\n## Current figures\n');
  const engines = [
    { file: 'bench/results/dev-server.json', column: 2 },
    { file: 'bench/results/cluster.json', column: 3 },
  ];

  it('has a table of figures, and points to one result file per engine', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const { file } of engines) expect(doc).toContain(`\`${file}\``);
    for (const row of rows) {
      for (const { column } of engines) expect(row[column], row[1]).toMatch(/^(—|\d{1,3}(,\d{3})*(\.\d+)?)$/);
    }
  });

  // Tables of one bench phase each, read from their own committed result file.
  for (const { heading, file, rows: least } of [
    { heading: 'Isolation figures', file: 'bench/results/isolation-dev-server.json', rows: 4 },
    { heading: 'Tracing figures', file: 'bench/results/tracing-dev-server.json', rows: 3 },
  ]) {
    const table = tableRows(`\n## ${heading}\n`);
    it(`has a table of the ${heading.toLowerCase()}, from their own result file`, () => {
      expect(table.length).toBeGreaterThanOrEqual(least);
      expect(doc).toContain(`\`${file}\``);
      expect(exists(file)).toBe(true);
      expect(mismatches(table, file, 2)).toEqual([]);
    });
  }

  for (const { file, column } of engines) {
    it.skipIf(!exists(file))(`every figure shown equals ${file}'s, rounded as shown`, () => {
      expect(mismatches(rows, file, column)).toEqual([]);
    });
  }
});

describe('docs/operations.md metrics', () => {
  it("names every metric hookrelay registers, and none it does not (the process metrics are prom-client's)", async () => {
    const api = createApiMetrics(false).registry;
    const worker = createWorkerMetrics(false).registry;
    registerWaitingGauge(worker, async () => []);
    registerCircuitGauge(worker, async () => []);
    const registered = [...(await api.getMetricsAsJSON()), ...(await worker.getMetricsAsJSON())].map((m) => m.name);
    const named = new Set(codeSpans(read('docs/operations.md')).flatMap((span) => span.match(/^hookrelay_[a-z_]+/) ?? []));
    expect(registered.filter((name) => !named.has(name))).toEqual([]);
    expect([...named].filter((name) => !registered.includes(name))).toEqual([]);
  });
});
