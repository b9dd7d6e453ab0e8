import type { ParseArgsConfig } from 'node:util';
import { backboneEntries, backboneIds } from '../ml/backbones/registry.ts';
import type { TrainRequest } from '../../src-shared/training-types.ts';
import { optionProblem, TRAIN_OPTION_KEYS, TRAIN_OPTIONS, type NumberOption, type TrainOption } from '../../src-shared/train-options.ts';
import { UsageError, type CommandContext } from './command.ts';

/** Where --help's descriptions start, and how wide its lines may get. */
const HELP_COLUMN = 20;
const HELP_WIDTH = 116;

/** `lookalike train`'s hyperparameter flags, one per registry option, for parseArgs. */
export function trainFlagOptions(): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    TRAIN_OPTION_KEYS.map((key) => [TRAIN_OPTIONS[key].flag, { type: TRAIN_OPTIONS[key].kind === 'boolean' ? 'boolean' : 'string' } as const]),
  );
}

/** The choices a choice flag takes: for --backbone, every registered backbone. */
function choicesOf(option: TrainOption): readonly string[] {
  if (option.kind !== 'choice') return [];
  return option.flag === TRAIN_OPTIONS.backbone.flag ? backboneIds() : option.choices;
}

function placeholder(option: TrainOption): string {
  if (option.kind === 'boolean') return '';
  return option.kind === 'choice' ? choicesOf(option).join('|') : option.metavar;
}

/** `[--epochs 30] [--mining random|semihard|hard] [--symmetric] …` for the usage line. */
export function trainFlagUsage(): string {
  return TRAIN_OPTION_KEYS.map((key) => {
    const option: TrainOption = TRAIN_OPTIONS[key];
    const value = option.kind === 'number' && option.default !== null ? String(option.default) : placeholder(option);
    return `[--${option.flag}${value ? ` ${value}` : ''}]`;
  }).join(' ');
}

/** Wraps `text` to the help width, its first line after `head`, the rest under the description column. */
function helpLine(head: string, text: string): string {
  const indent = ' '.repeat(HELP_COLUMN);
  const lines: string[] = [];
  let line = head.length < HELP_COLUMN - 1 ? head.padEnd(HELP_COLUMN) : (lines.push(head), indent);
  for (const word of text.split(' ')) {
    if (line.length + word.length > HELP_WIDTH && line.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

/** "A whole number from 1 to 1000", "Above 0 and below 1", "Above 0, at most 10". */
function boundsText(o: NumberOption): string {
  const low = o.minExclusive ? `above ${o.min}` : `from ${o.min}`;
  const high = o.maxExclusive ? ` and below ${o.max}` : o.minExclusive ? `, at most ${o.max}` : ` to ${o.max}`;
  const text = `${o.integer ? 'a whole number ' : ''}${low}${high}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function defaultText(option: TrainOption): string {
  if (option.flag === TRAIN_OPTIONS.inputSize.flag) return ` (default: the backbone's own: ${backboneEntries().map((b) => `${b.inputSize} for ${b.id}`).join(', ')})`;
  if (option.kind === 'boolean') return option.default ? ' (default: on)' : '';
  if (option.default !== null) return ` (default ${option.default})`;
  return 'auto' in option && option.auto ? ` (default: ${option.auto})` : '';
}

/** One help entry per registry option: its help sentence, its bounds and its default. */
export function trainFlagHelp(): string {
  return TRAIN_OPTION_KEYS.map((key) => {
    const option: TrainOption = TRAIN_OPTIONS[key];
    const head = `  --${option.flag}${option.kind === 'boolean' ? '' : ` ${option.kind === 'choice' ? option.flag.charAt(0).toUpperCase() : option.metavar}`}`;
    const bounds = option.kind === 'number' ? ` ${boundsText(option)}.` : '';
    const choices = option.kind === 'choice' ? ` One of ${choicesOf(option).join(', ')}.` : '';
    let text = helpLine(head, `${option.help}${choices}${bounds}${defaultText(option)}`);
    if (key === 'backbone') text += `\n${backboneEntries().map((b) => helpLine('', b.help)).join('\n')}`;
    return text;
  }).join('\n');
}

/** The flags of a backbone weights file (for backbones whose weights do not ship with the app). */
export function weightsFlagHelp(): string {
  const files = backboneEntries().flatMap((b) => (b.weights.kind === 'file' ? [{ id: b.id, ...b.weights }] : []));
  if (!files.length) return '';
  return [
    helpLine('  --weights FILE', `The weights file of ${files.map((f) => `${f.id} (${f.file.fileName})`).join(', ')}; else ~/.keras/models is searched.`),
    helpLine('  --download-weights', `Allow downloading them (${files.map((f) => `${f.id}: ~${f.sizeMb} MB`).join(', ')}) into the app's cache.`),
  ].join('\n');
}

/**
 * The hyperparameters given on the command line, each checked against the registry (choice, number, bounds) so a
 * mistake exits with 2 and the flag's name before any worker starts; what is left out stays out (the trainer's
 * defaults fill it in).
 */
export function trainRequestFromFlags(ctx: CommandContext): TrainRequest {
  const request: Record<string, unknown> = {};
  for (const key of TRAIN_OPTION_KEYS) {
    const option: TrainOption = TRAIN_OPTIONS[key];
    const raw = ctx.values[option.flag];
    if (raw === undefined) continue;
    if (option.kind === 'boolean') {
      request[key] = Boolean(raw);
      continue;
    }
    if (typeof raw !== 'string') throw new UsageError(`--${option.flag} takes a value`);
    if (option.kind === 'choice') {
      const choices = choicesOf(option);
      if (!choices.includes(raw)) throw new UsageError(`--${option.flag} takes one of ${choices.join(', ')}, not "${raw}"`);
      request[key] = raw;
      continue;
    }
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${option.flag} takes a number, not "${raw}"`);
    const problem = optionProblem(key, n);
    if (problem) throw new UsageError(problem);
    request[key] = n;
  }
  return request as TrainRequest;
}
