import type { Db } from '../catalog/open-catalog.ts';
import { getThumbnail } from '../catalog/datasets.ts';
import type { BatchResult } from '../../src-shared/batch-types.ts';
import { escapeHtml } from './html-escape.ts';

/**
 * A finished batch as one self-contained HTML page (every thumbnail inlined, no script, no outside request): the
 * triage table to mail or archive, readable offline.
 */
export function batchHtml(db: Db, result: BatchResult, opts: { title?: string; createdAt?: Date } = {}): string {
  const thumbOf = (imageId: number) => {
    const t = getThumbnail(db, imageId);
    return t ? `data:image/webp;base64,${t.toString('base64')}` : '';
  };
  const title = opts.title ?? 'Lookalike batch query';
  const matches = result.items.filter((i) => i.match).length;
  const rows = result.items
    .map((item) => {
      const hits = item.hits
        .map(
          (h) => `<figure class="${h.match ? 'hit match' : 'hit'}"><img src="${thumbOf(h.imageId)}" alt="${escapeHtml(`${h.datasetName} ${h.side}/${h.pairName}`)}">` +
            `<figcaption>#${h.rank} ${h.score.toFixed(3)}${h.match ? ' <b>match</b>' : ''}<br>${escapeHtml(h.datasetName)} · ${escapeHtml(h.side)}/${escapeHtml(h.pairName)}</figcaption></figure>`,
        )
        .join('');
      return `<tr><td class="q"><img src="${item.thumbnail}" alt=""><div>${escapeHtml(item.file)}</div></td>` +
        `<td class="num">${item.bestScore === null ? '—' : item.bestScore.toFixed(3)}</td><td>${item.match ? '<b class="m">match</b>' : 'no match'}</td><td class="hits">${hits || 'nothing to compare with'}</td></tr>`;
    })
    .join('\n');
  const unusable = result.unusable.length
    ? `<h2>Files not queried (${result.unusable.length})</h2><ul>${result.unusable.map((u) => `<li><code>${escapeHtml(u.file)}</code>: ${escapeHtml(u.reason)} <small>(${escapeHtml(u.code)})</small></li>`).join('')}</ul>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="generator" content="Lookalike"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b1d23}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e1e4ea;padding:.5rem;vertical-align:top;text-align:left}.q img{width:96px;height:96px;object-fit:contain;background:#f1f3f6}
.q div{max-width:14rem;word-break:break-all;font-size:.85rem}.num{font-variant-numeric:tabular-nums}.hits{display:flex;gap:.5rem;flex-wrap:wrap}
.hit{margin:0;width:110px;font-size:.75rem}.hit img{width:96px;height:96px;object-fit:contain;background:#f1f3f6;border:2px solid transparent}
.hit.match img{border-color:#2f5fd0}.m{color:#2f5fd0}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>${result.items.length} images queried${result.runId === null ? '' : ` with run ${result.runId}, match threshold tau ${result.tau?.toFixed(3)}`}: ${matches} with a match. ${opts.createdAt ? `Made ${escapeHtml(opts.createdAt.toISOString())}.` : ''}</p>
<table><thead><tr><th>Query</th><th>Best score</th><th>Verdict</th><th>Best matches</th></tr></thead><tbody>
${rows}
</tbody></table>
${unusable}
</body></html>
`;
}
