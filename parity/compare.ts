// The comparison of two normalised answers (issue 22, docs/parity.md): the
// HTTP status ($.status), the error type with its namespace ($.errorType: the
// type a client sees, `com.amazonaws.proton#ValidationException`), and every
// member of the body by JSON path ($.body.environment.name,
// $.body.templates[0].arn). A member that is absent (or null: the model
// counts a null member as absent) on one side differs from any value on the
// other; the absent side's value is `undefined` (JSON: null).
// `--ignore JSONPATH` drops the differences at a path and under it; `*` stands
// for any one segment (`$.body.*.arn`, `$.body.templates[*].createdAt`).
import type { ParityAnswer, ParityDifference } from './types.ts';

/** Where a pair of answers came from. */
export interface AnswerPlace {
  operation: string;
  sequence: string;
  step: number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function memberPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Every leaf where `a` and `b` differ, as [path, a's value, b's value]. */
export function differingPaths(
  path: string,
  a: unknown,
  b: unknown,
  out: Array<[string, unknown, unknown]> = [],
): Array<[string, unknown, unknown]> {
  if (absent(a) && absent(b)) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) differingPaths(`${path}[${i}]`, a[i], b[i], out);
    return out;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) differingPaths(memberPath(path, key), a[key], b[key], out);
    return out;
  }
  if (absent(a) || absent(b) || typeof a === 'object' || typeof b === 'object' || a !== b) {
    out.push([path, absent(a) ? undefined : a, absent(b) ? undefined : b]);
  }
  return out;
}

/** The differences between the reference's and the candidate's answers to one step. */
export function compareAnswers(reference: ParityAnswer, candidate: ParityAnswer, place: AnswerPlace): ParityDifference[] {
  const found: Array<[string, unknown, unknown]> = [];
  if (reference.status !== candidate.status) found.push(['$.status', reference.status, candidate.status]);
  if (reference.errorType !== candidate.errorType) found.push(['$.errorType', reference.errorType, candidate.errorType]);
  differingPaths('$.body', reference.body, candidate.body, found);
  return found.map(([path, a, b]) => ({
    operation: place.operation,
    path,
    reference: a,
    candidate: b,
    sequence: place.sequence,
    step: place.step,
  }));
}

/** A path's segments: `$.body.items[0]["a b"]` -> ['$', 'body', 'items', '0', 'a b']. */
export function pathSegments(path: string): string[] {
  const segments: string[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+|\*)\]|\[("(?:[^"\\]|\\.)*")\]|^(\$)/g;
  let at = 0;
  for (let match = pattern.exec(path); match !== null; match = pattern.exec(path)) {
    if (match.index !== at) throw new Error(`not a JSON path: ${JSON.stringify(path)} (at character ${at + 1})`);
    const quoted = match[3];
    segments.push(match[1] ?? match[2] ?? (quoted === undefined ? undefined : (JSON.parse(quoted) as string)) ?? match[4]!);
    at = pattern.lastIndex;
  }
  if (at !== path.length || segments[0] !== '$') throw new Error(`not a JSON path: ${JSON.stringify(path)} (it starts with $)`);
  return segments;
}

/** `--ignore` patterns, checked once: a bad one throws with its text. */
export class IgnoreList {
  private readonly patterns: string[][];

  constructor(readonly texts: readonly string[]) {
    this.patterns = texts.map(pathSegments);
  }

  /** Whether a difference's path is at or under an ignored path (`*`: any one segment). */
  ignores(path: string): boolean {
    const segments = pathSegments(path);
    return this.patterns.some(
      (pattern) => pattern.length <= segments.length && pattern.every((segment, i) => segment === '*' || segment === segments[i]),
    );
  }

  /** The differences split into those that count and those ignored. */
  split(differences: readonly ParityDifference[]): { counted: ParityDifference[]; ignored: ParityDifference[] } {
    const counted: ParityDifference[] = [];
    const ignored: ParityDifference[] = [];
    for (const difference of differences) (this.ignores(difference.path) ? ignored : counted).push(difference);
    return { counted, ignored };
  }
}
