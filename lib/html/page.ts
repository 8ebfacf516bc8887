// One self-contained HTML page (no network): headings, text, sortable tables, image grids and
// Vega-Lite charts (compiled to Vega here; the Vega runtime is inlined once and renders them
// as SVG in the browser, with hover tooltips). The reports of `nucseg report`, `score
// --report` and `experiment run` are all made with it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../util/atomic.js';
import { NucsegError } from '../util/errors.js';

/** A table column: the row key, its heading, and how numbers are shown (digits after the point; default: as they are). */
export interface Column {
  key: string;
  label?: string;
  digits?: number;
}

/** What a page is made of, in order. */
export type Block =
  | { kind: 'heading'; text: string; level?: 1 | 2 | 3 }
  | { kind: 'text'; text: string }
  | { kind: 'table'; columns: Column[]; rows: Record<string, unknown>[]; id?: string; caption?: string }
  | { kind: 'chart'; spec: TopLevelSpec; id: string; caption?: string }
  /** Images by relative file path (from the page's folder; fileUrl encodes them), each optionally a link to another file. */
  | { kind: 'images'; items: { src: string; href?: string; caption: string; title?: string }[]; id?: string; caption?: string }
  | { kind: 'details'; summary: string; blocks: Block[] };

/** The browser's half of the page: renders every chart, exposes the views (window.nucseg.views, window.nucseg.ready) and sorts tables by a click on a heading. */
const BOOT = String.raw`(function () {
  var views = {}, runs = [];
  document.querySelectorAll('script[type="application/vega+json"]').forEach(function (s) {
    var id = s.getAttribute('data-chart');
    var view = new vega.View(vega.parse(JSON.parse(s.textContent)), { renderer: 'svg', container: '#' + id, hover: true });
    views[id] = view;
    runs.push(view.runAsync());
  });
  window.nucseg = { views: views, ready: Promise.all(runs) };
  document.querySelectorAll('table.sortable th').forEach(function (th, _i) {
    th.addEventListener('click', function () {
      var table = th.closest('table'), body = table.tBodies[0], col = Array.prototype.indexOf.call(th.parentNode.children, th);
      var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
      th.parentNode.querySelectorAll('th').forEach(function (h) { h.removeAttribute('data-dir'); });
      th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
      var key = function (tr) { var c = tr.children[col], v = c.getAttribute('data-v'); return v === null ? c.textContent : Number(v); };
      Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b);
        return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
      }).forEach(function (tr) { body.appendChild(tr); });
    });
  });
})();`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1280px;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}h3{font-size:15px}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th:first-child,td:first-child{text-align:left}table.sortable th{cursor:pointer;background:#f6f6f6}
th[data-dir=asc]:after{content:" \\25B2"}th[data-dir=desc]:after{content:" \\25BC"}
.grid{display:flex;flex-wrap:wrap;gap:8px}.grid figure{margin:0;width:200px}.grid img{width:200px;image-rendering:pixelated;background:#000}
figcaption{font-size:12px;color:#555;overflow-wrap:anywhere}.caption{color:#555;font-size:13px}.chart{margin:8px 0}`;

let runtime: string | undefined;
/** The Vega runtime (vega.min.js of the installed vega package), read once. */
function vegaRuntime(): string {
  if (runtime === undefined) {
    // the package's exports hide build/: found from its main entry, up to its package.json
    let dir = dirname(createRequire(import.meta.url).resolve('vega'));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    runtime = readFileSync(join(dir, 'build', 'vega.min.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
  }
  return runtime;
}

/** Text made safe for HTML (element content and attribute values). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * A relative file path as a URL: each segment percent-encoded and a leading `./`, so a file
 * name cannot become a scheme (`javascript:`), a fragment (`#`) or a query (`?`).
 *
 * @example
 * ```ts
 * import { fileUrl } from 'nucseg';
 * fileUrl('thumbs/javascript:alert(1)#.png'); // './thumbs/javascript%3Aalert(1)%23.png'
 * ```
 */
export function fileUrl(relativePath: string): string {
  return './' + relativePath.split(/[\\/]/).map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s))).join('/');
}

/** JSON that can sit inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

function cell(v: unknown, c: Column): string {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '<td data-v="-Infinity">–</td>'; // unknown: shown as a dash, sorted first
    const shown = !Number.isFinite(v) ? String(v) : c.digits === undefined ? String(v) : v.toFixed(c.digits);
    return `<td data-v="${v}">${shown}</td>`;
  }
  return v === undefined || v === null ? '<td data-v="-Infinity">–</td>' : `<td>${escapeHtml(String(v))}</td>`;
}

function renderBlock(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level ?? 2}>${escapeHtml(b.text)}</h${b.level ?? 2}>`;
    case 'text':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'table': {
      const head = b.columns.map((c) => `<th>${escapeHtml(c.label ?? c.key)}</th>`).join('');
      const body = b.rows.map((r) => `<tr>${b.columns.map((c) => cell(r[c.key], c)).join('')}</tr>`).join('\n');
      const cap = b.caption ? `<caption class="caption">${escapeHtml(b.caption)}</caption>` : '';
      return `<table class="sortable"${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${cap}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
    }
    case 'chart': {
      const vg = compile(b.spec).spec;
      const id = escapeHtml(b.id);
      return `<div class="chart" id="${id}"></div><script type="application/vega+json" data-chart="${id}">${scriptJson(vg)}</script>${b.caption ? `<p class="caption">${escapeHtml(b.caption)}</p>` : ''}`;
    }
    case 'images': {
      const figs = b.items.map((it) => {
        const img = `<img loading="lazy" src="${escapeHtml(fileUrl(it.src))}" alt="${escapeHtml(it.caption)}"${it.title ? ` title="${escapeHtml(it.title)}"` : ''}>`;
        return `<figure>${it.href ? `<a href="${escapeHtml(fileUrl(it.href))}">${img}</a>` : img}<figcaption>${escapeHtml(it.caption)}</figcaption></figure>`;
      });
      return `${b.caption ? `<p class="caption">${escapeHtml(b.caption)}</p>` : ''}<div class="grid"${b.id ? ` id="${escapeHtml(b.id)}"` : ''}>${figs.join('\n')}</div>`;
    }
    case 'details':
      return `<details><summary>${escapeHtml(b.summary)}</summary>${b.blocks.map(renderBlock).join('\n')}</details>`;
  }
}

/**
 * One self-contained HTML page: the blocks in order; charts are Vega-Lite specs, compiled
 * here and rendered in the browser by the inlined Vega runtime (no network); tables sort by
 * a click on a heading. In the page, `window.nucseg.ready` resolves when every chart is drawn
 * and `window.nucseg.views[id]` is each chart's Vega view.
 *
 * @example
 * ```ts
 * import { renderHtmlPage } from 'nucseg';
 * const html = renderHtmlPage('Counts', [
 *   { kind: 'table', columns: [{ key: 'well' }, { key: 'count' }], rows: [{ well: 'A01', count: 120 }] },
 *   { kind: 'chart', id: 'bars', spec: { data: { values: [{ well: 'A01', count: 120 }] }, mark: 'bar', encoding: { x: { field: 'well', type: 'nominal' }, y: { field: 'count', type: 'quantitative' } } } },
 * ]);
 * ```
 */
export function renderHtmlPage(title: string, blocks: Block[]): string {
  const charts = (bs: Block[]): boolean => bs.some((b) => b.kind === 'chart' || (b.kind === 'details' && charts(b.blocks)));
  const hasCharts = charts(blocks);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style>
${hasCharts ? `<script>${vegaRuntime()}</script>` : '<script>var vega;</script>'}
</head><body>
<h1>${escapeHtml(title)}</h1>
${blocks.map(renderBlock).join('\n')}
<script>${BOOT}</script>
</body></html>
`;
}

/**
 * Checks, before any work, that `path` can be a report page: a name ending in .html (or .htm)
 * that is not a folder. Throws a one-line NucsegError naming it.
 *
 * @example
 * ```ts
 * import { checkHtmlPath } from 'nucseg';
 * checkHtmlPath('results/report.html'); // fine
 * checkHtmlPath('results/summary.csv'); // throws: the report is an HTML file …
 * ```
 */
export function checkHtmlPath(path: string): void {
  if (!/\.html?$/i.test(path)) throw new NucsegError('the report is an HTML file: give a name ending in .html', { file: path });
  if (existsSync(path) && statSync(path).isDirectory()) throw new NucsegError('is a folder: give the report a file name ending in .html', { file: path });
}

/**
 * Writes renderHtmlPage(title, blocks) to `path` atomically (temporary name, then rename).
 *
 * @example
 * ```ts
 * import { writeHtmlPage } from 'nucseg';
 * await writeHtmlPage('report.html', 'Run', [{ kind: 'text', text: 'no charts here' }]);
 * ```
 */
export async function writeHtmlPage(path: string, title: string, blocks: Block[]): Promise<void> {
  await writeFileAtomic(path, renderHtmlPage(title, blocks));
}
