/** Markdown tables of measure-features' results, for docs/feature-recipes.md. */
import type { RecipeResult } from '../measure-features.ts';
import type { EvalSetId } from '../eval-sets/sources.ts';

const f = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(3));
const name = (r: RecipeResult) => `${r.backbone} ${r.size} ${r.colour} · ${r.feature} · ${r.pooling}`;
/** What the app uses untrained today: MobileNetV2's pooled 1280-d layer at 224, in colour. */
const isDefault = (r: RecipeResult) => r.backbone === 'mobilenetv2' && r.size === 224 && r.colour === 'colour'
  && r.feature === 'out_relu' && r.pooling === 'avg';

function rows(results: RecipeResult[], sets: readonly EvalSetId[]): string[] {
  const head = `| size | colour | feature | pooling | ${sets.map((s) => `${s} R@1 | ${s} R@5 | ${s} R@10 | ${s} MRR`).join(' | ')} | mean R@1 |`;
  const rule = `|${'---|'.repeat(4 + sets.length * 4 + 1)}`;
  return [head, rule, ...results.map((r) => {
    const cells = sets.map((s) => { const x = r.sets[s]; return `${f(x?.r1)} | ${f(x?.r5)} | ${f(x?.r10)} | ${f(x?.mrr)}`; });
    const label = isDefault(r) ? ' (app default)' : '';
    return `| ${r.size} | ${r.colour} | ${r.feature}${label} | ${r.pooling} | ${cells.join(' | ')} | **${f(r.mean_r1)}** |`;
  })];
}

/** Every table, per backbone; `results` must be sorted best first. */
export function renderTables(results: RecipeResult[], sets: readonly EvalSetId[]): string {
  const out: string[] = [];
  const baseline = results.find(isDefault);
  for (const backbone of [...new Set(results.map((r) => r.backbone))]) {
    const mine = results.filter((r) => r.backbone === backbone);
    const best = mine[0];
    out.push(`### ${backbone}`, '');
    out.push(`Winner by mean Recall@1 over ${sets.join(' + ')}: **${name(best)}** — mean R@1 ${f(best.mean_r1)}, mean MRR ${f(best.mean_mrr)}`
      + (baseline ? ` (app default ${f(baseline.mean_r1)} / ${f(baseline.mean_mrr)}: ${best.mean_r1 >= baseline.mean_r1 ? '+' : ''}${f(best.mean_r1 - baseline.mean_r1)} R@1).` : '.'), '');
    for (const s of sets) {
      const top = [...mine].sort((a, b) => (b.sets[s]?.r1 ?? 0) - (a.sets[s]?.r1 ?? 0) || (b.sets[s]?.mrr ?? 0) - (a.sets[s]?.mrr ?? 0))[0];
      out.push(`- best on ${s} alone: ${name(top)} — R@1 ${f(top.sets[s]?.r1)}, MRR ${f(top.sets[s]?.mrr)}`);
    }
    out.push('', `Top 15 recipes:`, '', ...rows(mine.slice(0, 15), sets), '');
    const groups = new Map<string, RecipeResult>();
    for (const r of mine) if (!groups.has(`${r.size}|${r.colour}`)) groups.set(`${r.size}|${r.colour}`, r);
    out.push('Best recipe for each input size and colour handling:', '', ...rows([...groups.values()], sets), '');
    const atBest = mine.filter((r) => r.size === best.size && r.colour === best.colour);
    out.push(`Every layer and pooling at ${best.size} px, ${best.colour} (mean R@1 over the sets):`, '');
    const pools = ['avg', 'max', 'gem'] as const;
    out.push(`| feature | ${pools.join(' | ')} |`, `|---|${'---|'.repeat(pools.length)}`);
    for (const feature of [...new Set(atBest.map((r) => r.feature))]) {
      const cell = (p: string) => f(atBest.find((r) => r.feature === feature && r.pooling === p)?.mean_r1);
      out.push(`| ${feature} | ${pools.map(cell).join(' | ')} |`);
    }
    out.push('');
  }
  if (baseline) out.push('App default for reference:', '', ...rows([baseline], sets), '');
  return `${out.join('\n')}\n`;
}
