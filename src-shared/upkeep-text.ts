/** The words for what a removal removes, shared by the CLI's prompt and the app's confirmation dialog. */
import type { DatasetRemoval, RunRemoval } from './upkeep-types.ts';

const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** The lines listing what removing a dataset removes (the folder itself is never one of them). */
export function datasetRemovalLines(r: DatasetRemoval): string[] {
  return [
    n(r.pairs, 'pair'),
    `${n(r.runs.length, 'training run')}${r.runs.length ? ` (${r.runs.map((id) => `#${id}`).join(', ')}) with ${n(r.checkpoints, 'saved model')}` : ''}`,
    `${n(r.images, 'catalog image')} with their thumbnails, cached features and vectors${r.sharedImagesKept ? ` (${n(r.sharedImagesKept, 'image')} another dataset also uses ${r.sharedImagesKept === 1 ? 'stays' : 'stay'})` : ''}`,
    'the synthetic look-alikes Lookalike made from its logos',
  ];
}

/** The lines listing what removing a run removes. */
export function runRemovalLines(r: RunRemoval): string[] {
  return [n(r.epochs, 'recorded epoch'), n(r.checkpoints, 'saved model'), n(r.embeddingRows, 'catalog vector'), 'the synthetic look-alikes only this run used'];
}

/** The sentence saying the user's files stay. */
export function folderKeptNote(root: string): string {
  return `The image files in ${root} are not touched.`;
}
