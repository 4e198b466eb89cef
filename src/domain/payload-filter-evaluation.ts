// Evaluating a parsed payload filter (payload-filter.ts) against an event envelope: pure, and
// bounded by the parser's limits (at most maxNodes tests, each reading at most maxPathSegments
// own properties and comparing with at most maxInValues short literals), whatever the event holds.
// `explainFilter` says why: the same evaluation, keeping each condition's verdict and reason.
import { isPlainObject, parsePayloadFilter, type FieldTest, type FilterNode, type FilterScalar } from './payload-filter';

/** The value at a dotted path: own properties of objects, and canonical indices of lists. */
type Lookup = { found: true; value: unknown } | { found: false };

function lookUp(envelope: Record<string, unknown>, segments: readonly string[]): Lookup {
  let current: unknown = envelope;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]{0,8})$/.test(segment)) return { found: false };
      const index = Number(segment);
      if (index >= current.length) return { found: false };
      current = current[index];
    } else if (isPlainObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** Equality of scalars only: an object or a list never equals a literal. A missing field equals null. */
function equals(lookup: Lookup, expected: FilterScalar): boolean {
  if (!lookup.found) return expected === null;
  return lookup.value === expected;
}

function compare(actual: unknown, operator: '$gt' | '$gte' | '$lt' | '$lte', expected: string | number): boolean {
  // Numbers compare with numbers, strings with strings (by UTF-16 code units, so ISO timestamps order).
  if (typeof actual !== typeof expected) return false;
  const a = actual as string | number;
  switch (operator) {
    case '$gt':
      return a > expected;
    case '$gte':
      return a >= expected;
    case '$lt':
      return a < expected;
    case '$lte':
      return a <= expected;
  }
}

function passes(test: FieldTest, lookup: Lookup): boolean {
  switch (test.operator) {
    case '$eq':
      return equals(lookup, test.value);
    case '$ne':
      return !equals(lookup, test.value);
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return lookup.found && compare(lookup.value, test.operator, test.value);
    case '$in':
      return test.values.some((value) => equals(lookup, value));
    case '$nin':
      return !test.values.some((value) => equals(lookup, value));
    case '$exists':
      return lookup.found === test.value;
  }
}

/** Does the event pass the filter? The fan-out's question. */
export function matchesFilter(filter: FilterNode, envelope: Record<string, unknown>): boolean {
  switch (filter.kind) {
    case 'and':
      return filter.clauses.every((clause) => matchesFilter(clause, envelope));
    case 'or':
      return filter.clauses.some((clause) => matchesFilter(clause, envelope));
    case 'not':
      return !matchesFilter(filter.clause, envelope);
    case 'field':
      return passes(filter.test, lookUp(envelope, filter.segments));
  }
}

/**
 * The fan-out's test of an endpoint's stored filter (null: none). A stored filter passed the same
 * parser on write; one that somehow no longer parses lets the event through, so nothing accepted
 * is dropped by a fault of ours.
 */
export function passesStoredFilter(stored: unknown, envelope: Record<string, unknown>): boolean {
  if (stored === null || stored === undefined) return true;
  const parsed = parsePayloadFilter(stored);
  return !parsed.ok || matchesFilter(parsed.filter, envelope);
}

/** One condition's verdict: what it asked, whether it held, and why. */
export interface FilterExplanation {
  condition: string;
  matched: boolean;
  reason: string;
  /** The value the field had (shortened), or absent when the event has no such field. */
  actual?: unknown;
  clauses?: FilterExplanation[];
}

export function explainFilter(filter: FilterNode, envelope: Record<string, unknown>): FilterExplanation {
  switch (filter.kind) {
    case 'and': {
      const clauses = filter.clauses.map((clause) => explainFilter(clause, envelope));
      const failed = clauses.find((clause) => !clause.matched);
      const reason = failed
        ? failed.reason
        : clauses.length === 0
          ? 'an empty filter matches every event'
          : `all ${clauses.length} conditions hold`;
      return { condition: '$and', matched: !failed, reason, clauses };
    }
    case 'or': {
      const clauses = filter.clauses.map((clause) => explainFilter(clause, envelope));
      const held = clauses.find((clause) => clause.matched);
      return {
        condition: '$or',
        matched: held !== undefined,
        reason: held ? held.reason : `none of the ${clauses.length} alternatives holds`,
        clauses,
      };
    }
    case 'not': {
      const inner = explainFilter(filter.clause, envelope);
      return { condition: '$not', matched: !inner.matched, reason: `$not: ${inner.reason}`, clauses: [inner] };
    }
    case 'field': {
      const lookup = lookUp(envelope, filter.segments);
      const matched = passes(filter.test, lookup);
      const condition = `${filter.path} ${describeTest(filter.test)}`;
      const seen = lookup.found ? `${filter.path} is ${JSON.stringify(shortValue(lookup.value))}` : `${filter.path} is missing`;
      return {
        condition,
        matched,
        reason: `${seen}: ${describeTest(filter.test)} ${matched ? 'holds' : 'does not hold'}`,
        ...(lookup.found && { actual: shortValue(lookup.value) }),
      };
    }
  }
}

function describeTest(test: FieldTest): string {
  const operand = 'values' in test ? test.values : test.value;
  return `${test.operator} ${shorten(JSON.stringify(operand))}`;
}

const SHOWN_CHARACTERS = 200;

function shorten(text: string): string {
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
}

/** Scalars as they are (long strings cut); objects and lists by their size, so an answer stays small. */
function shortValue(value: unknown): unknown {
  if (typeof value === 'string') return shorten(value);
  if (Array.isArray(value)) return `(a list of ${value.length})`;
  if (isPlainObject(value)) return `(an object with ${Object.keys(value).length} fields)`;
  return value;
}
