import * as v from 'valibot';
import type { ArgsOf, RequestName } from './contract.ts';
import { REQUEST_SCHEMAS } from './contract-schemas.ts';

/** The error code of a request whose arguments do not fit its schema. */
export const BAD_ARGUMENT = 'BAD_ARGUMENT';

/** At most this many problems are named in one message: the first ones say enough. */
const MAX_PROBLEMS = 3;

/**
 * Checks a request's arguments against its schema: the arguments as the handler should get them (unknown fields
 * refused, `runs:list`'s missing object filled in), or one message naming each wrong field and what it must be,
 * e.g. `datasets:pairs: datasetId must be a dataset id: a whole number from 1 to …, not "7"`.
 */
export function checkArgs<K extends RequestName>(name: K, args: unknown): { ok: true; value: ArgsOf<K> } | { ok: false; message: string } {
  const result = v.safeParse(REQUEST_SCHEMAS[name] as v.GenericSchema<unknown, ArgsOf<K>>, args);
  if (result.success) return { ok: true, value: result.output };
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const issue of result.issues) {
    const field = v.getDotPath(issue);
    // A value that breaks several rules of one field (−1.5: not whole, below 1) is named once.
    if (seen.has(field ?? '')) continue;
    seen.add(field ?? '');
    problems.push(describeIssue(name, field, issue));
  }
  const shown = problems.slice(0, MAX_PROBLEMS).join('; ');
  return { ok: false, message: `${name}: ${shown}${problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more)` : ''}` };
}

function describeIssue(name: string, field: string | null, issue: v.BaseIssue<unknown>): string {
  const missing = issue.type === 'strict_object' && issue.received === 'undefined' && issue.expected?.startsWith('"');
  const unknownField = issue.type === 'strict_object' && issue.expected === 'never';
  if (field === null) return `the arguments must be ${issue.message}, not ${show(issue.input)}`;
  if (unknownField) return `${field} is not an argument of ${name}`;
  if (missing) return `${field} is missing (${parentOf(field)} must be ${issue.message})`;
  return `${field} must be ${issue.message}, not ${show(issue.input)}`;
}

function parentOf(field: string): string {
  const dot = field.lastIndexOf('.');
  return dot < 0 ? 'the arguments' : field.slice(0, dot);
}

/** A short, safe rendering of what was sent: never more than a few dozen characters of it. */
function show(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (typeof input === 'string') return JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input);
  if (typeof input === 'number') return Number.isNaN(input) ? 'NaN' : String(input);
  if (typeof input === 'boolean' || typeof input === 'bigint') return String(input);
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'an object';
  return `a ${typeof input}`;
}
