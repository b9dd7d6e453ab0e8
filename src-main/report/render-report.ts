import type { ReportData } from './gather-report-data.ts';
import { escapeHtml as e } from './html-escape.ts';
import { chartSeries, renderCharts } from './render-charts.ts';
import { renderConfigTable, renderEpochTable, renderExamples, renderMetricsTable } from './render-sections.ts';

/**
 * Nothing may load from anywhere: images are data: URIs, scripts and styles are inline. Saying so in a CSP also
 * keeps a report that is opened from a mail attachment from calling out, whatever a name in it contains.
 */
const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

const STYLE = `
:root { color-scheme: light; --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --miss: #b91c1c; --hit: #047857; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0 auto; max-width: 1120px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted, .subtitle { color: var(--muted); } code { font-size: 12px; }
table { border-collapse: collapse; } th, td { padding: 4px 10px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: baseline; }
table.config th[scope=row] { font-weight: 500; white-space: nowrap; } table.config td:last-child { padding-left: 24px; } table.config tbody.group th { padding-top: 14px; color: var(--muted); font-weight: 600; }
table.metrics td, table.epochs td { text-align: right; font-variant-numeric: tabular-nums; } table.metrics th[scope=col] { text-align: right; }
.notice { background: #fff7ed; border: 1px solid #fed7aa; padding: 8px 12px; border-radius: 6px; }
.errors { color: var(--miss); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; } figure { margin: 0; }
.chart-box { position: relative; height: 260px; } figcaption { color: var(--muted); font-size: 12px; }
details { margin-top: 10px; }
.example { display: flex; gap: 18px; padding: 12px; margin: 10px 0; border: 1px solid var(--line); border-left: 4px solid var(--hit); border-radius: 6px; page-break-inside: avoid; }
.example.miss { border-left-color: var(--miss); }
.example img, .no-thumb { width: 112px; height: 112px; object-fit: contain; background: #fff; border: 1px solid var(--line); border-radius: 4px; display: block; }
.no-thumb { display: flex; align-items: center; justify-content: center; color: var(--muted); font-size: 12px; }
.query { width: 150px; flex: none; } .verdict.miss { color: var(--miss); font-weight: 600; } .verdict.hit { color: var(--hit); font-weight: 600; }
.results { display: flex; gap: 10px; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
.result { width: 124px; padding: 5px; border: 2px solid transparent; border-radius: 6px; } .result.true-pair { border-color: var(--accent); background: #eff6ff; }
.label { font-size: 12px; color: var(--muted); margin-top: 4px; } .true-label { font-size: 11px; color: var(--accent); font-weight: 600; }
.gap { align-self: center; color: var(--muted); font-size: 20px; }
.name { font-size: 12px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; } .caption { font-size: 12px; margin-top: 3px; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 8px; } .badge.match { background: #d1fae5; color: #065f46; } .badge.no-match { background: #f3f4f6; color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { body { padding: 0; } details { display: block; } }
`;

/** The whole report as one self-contained HTML document. */
export function renderReportHtml(data: ReportData, chartJs: { code: string; version: string }): string {
  const { run } = data;
  const title = `Run ${run.id} on “${run.datasetName}” — Lookalike report`;
  const notices = data.notices.map((n) => `<p class="notice">${e(n)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Lookalike">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Run ${run.id} on “${e(run.datasetName)}”</h1>
<div class="subtitle">${e(run.config.backbone)} · ${e(run.config.mode)} mode · ${e(run.status)} · ${run.epochsDone} of ${run.config.epochs} epochs · report made ${e(data.generatedAt.replace('T', ' ').replace(/\.\d+Z$/, ''))} UTC</div>
</header>
<main>
<section id="config"><h2>Configuration</h2>
${renderConfigTable(run, data.pairs)}
</section>
<section id="training"><h2>Training</h2>
${renderCharts(chartSeries(run.epochs), chartJs.code)}
${renderEpochTable(run.epochs)}
</section>
<section id="test-metrics"><h2>Test split: the run beside two baselines</h2>
${notices}
${renderMetricsTable(data.columns, data.pairs.test)}
<p class="muted">Measured when this report was made, on the dataset's current test pairs (pairs never trained on).
<em>untrained</em>: the backbone's ImageNet features without training; <em>pHash</em>: a perceptual hash, similarity 1 − hamming / 64.</p>
</section>
<section id="examples"><h2>Example test queries</h2>
${renderExamples(data)}
</section>
</main>
<footer>Made by Lookalike. Charts drawn by Chart.js ${e(chartJs.version)} (MIT licence), inlined so this file needs no network.</footer>
</body>
</html>
`;
}
