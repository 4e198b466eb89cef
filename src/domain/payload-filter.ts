// Payload filters (issue 14): a small query language over the event envelope, read into a tree
// whose evaluation is bounded by construction (payload-filter-evaluation.ts). Parsing checks every
// limit, so a filter that passed it costs at most PAYLOAD_FILTER_LIMITS to evaluate, whatever the
// event. No library: sift and mingo evaluate the whole MongoDB operator set ($regex, $where, $expr)
// with no bound on work and cannot say why a document did not match.
import { z } from 'zod';

export const PAYLOAD_FILTER_LIMITS = {
  /** Nesting of $and / $or / $not. */
  maxDepth: 8,
  /** Conditions in all: each field comparison and each $and / $or / $not counts one. */
  maxNodes: 64,
  maxInValues: 100,
  maxStringLength: 256,
  maxPathSegments: 16,
  maxPathLength: 200,
  /** The filter as JSON. */
  maxBytes: 16 * 1024,
} as const;

/** The envelope's top-level fields (SPEC §4); only `data` and `previous` have fields below them. */
export const ENVELOPE_FIELDS = [
  'id',
  'type',
  'timestamp',
  'tenantId',
  'resourceId',
  'operation',
  'triggeredBy',
  'data',
  'previous',
] as const;
const NESTED_FIELDS: readonly string[] = ['data', 'previous'];

export type FilterScalar = string | number | boolean | null;

export const COMPARISON_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

export type FieldTest =
  | { operator: '$eq' | '$ne'; value: FilterScalar }
  | { operator: '$gt' | '$gte' | '$lt' | '$lte'; value: string | number }
  | { operator: '$in' | '$nin'; values: FilterScalar[] }
  | { operator: '$exists'; value: boolean };

export type FilterNode =
  /** Every clause holds: `$and`, and the implicit AND of an object's keys. */
  | { kind: 'and'; clauses: FilterNode[] }
  | { kind: 'or'; clauses: FilterNode[] }
  | { kind: 'not'; clause: FilterNode }
  | { kind: 'field'; path: string; segments: string[]; test: FieldTest };

export interface FilterIssue {
  /** Where in the filter, e.g. ["data.amount", "$gt"]. */
  path: Array<string | number>;
  message: string;
}

export type ParsedFilter = { ok: true; filter: FilterNode } | { ok: false; issues: FilterIssue[] };

type Path = Array<string | number>;

/** Reads a filter as stored or sent; every problem comes back with its place in the filter. */
export function parsePayloadFilter(input: unknown): ParsedFilter {
  const issues: FilterIssue[] = [];
  const size = JSON.stringify(input)?.length ?? 0;
  if (size > PAYLOAD_FILTER_LIMITS.maxBytes) {
    return { ok: false, issues: [{ path: [], message: `must be at most ${PAYLOAD_FILTER_LIMITS.maxBytes} bytes as JSON (is ${size})` }] };
  }
  const reader = new FilterReader(issues);
  const filter = reader.condition(input, [], 0);
  return issues.length === 0 && filter ? { ok: true, filter } : { ok: false, issues };
}

class FilterReader {
  private nodes = 0;
  constructor(private readonly issues: FilterIssue[]) {}

  private fail(path: Path, message: string): undefined {
    if (this.issues.length < 20) this.issues.push({ path, message });
    return undefined;
  }

  /** Counts a node; false (with one issue) once the filter has too many. */
  private spend(path: Path): boolean {
    this.nodes += 1;
    if (this.nodes === PAYLOAD_FILTER_LIMITS.maxNodes + 1)
      this.fail(path, `a filter has at most ${PAYLOAD_FILTER_LIMITS.maxNodes} conditions`);
    return this.nodes <= PAYLOAD_FILTER_LIMITS.maxNodes;
  }

  condition(value: unknown, path: Path, depth: number): FilterNode | undefined {
    if (!isPlainObject(value)) return this.fail(path, 'must be an object of conditions, e.g. { "data.amount": { "$gt": 100 } }');
    if (depth > PAYLOAD_FILTER_LIMITS.maxDepth)
      return this.fail(path, `$and / $or / $not nest at most ${PAYLOAD_FILTER_LIMITS.maxDepth} deep`);
    const clauses: FilterNode[] = [];
    for (const [key, operand] of Object.entries(value)) {
      const clause = key.startsWith('$') ? this.logical(key, operand, [...path, key], depth) : this.field(key, operand, [...path, key]);
      if (clause) clauses.push(clause);
    }
    return clauses.length === 1 ? clauses[0] : { kind: 'and', clauses };
  }

  private logical(operator: string, operand: unknown, path: Path, depth: number): FilterNode | undefined {
    if (!this.spend(path)) return undefined;
    if (operator === '$not') {
      const clause = this.condition(operand, path, depth + 1);
      return clause && { kind: 'not', clause };
    }
    if (operator !== '$and' && operator !== '$or') {
      return this.fail(path, `unknown operator ${operator}: conditions combine with $and, $or and $not`);
    }
    if (!Array.isArray(operand) || operand.length === 0) return this.fail(path, `${operator} takes a non-empty list of conditions`);
    if (operand.length > PAYLOAD_FILTER_LIMITS.maxNodes)
      return this.fail(path, `a filter has at most ${PAYLOAD_FILTER_LIMITS.maxNodes} conditions`);
    const clauses = operand.map((item, index) => this.condition(item, [...path, index], depth + 1));
    if (clauses.some((clause) => clause === undefined)) return undefined;
    return { kind: operator === '$and' ? 'and' : 'or', clauses: clauses as FilterNode[] };
  }

  private field(fieldPath: string, operand: unknown, path: Path): FilterNode | undefined {
    const segments = this.segments(fieldPath, path);
    if (!segments) return undefined;
    if (Array.isArray(operand)) return this.fail(path, 'a list is not a value to compare with: use { "$in": [...] }');
    if (!isPlainObject(operand)) {
      if (!this.spend(path)) return undefined;
      const value = this.scalar(operand, path);
      return value === undefined ? undefined : { kind: 'field', path: fieldPath, segments, test: { operator: '$eq', value } };
    }
    const entries = Object.entries(operand);
    if (entries.length === 0) return this.fail(path, `needs an operator: ${COMPARISON_OPERATORS.join(', ')}`);
    const tests: FilterNode[] = [];
    for (const [operator, value] of entries) {
      if (!this.spend([...path, operator])) return undefined;
      const test = this.test(operator, value, [...path, operator]);
      if (test) tests.push({ kind: 'field', path: fieldPath, segments, test });
    }
    if (tests.length < entries.length) return undefined;
    return tests.length === 1 ? tests[0] : { kind: 'and', clauses: tests };
  }

  private segments(fieldPath: string, path: Path): string[] | undefined {
    if (fieldPath.length > PAYLOAD_FILTER_LIMITS.maxPathLength) {
      return this.fail(path, `a field path has at most ${PAYLOAD_FILTER_LIMITS.maxPathLength} characters`);
    }
    const segments = fieldPath.split('.');
    if (segments.some((segment) => segment === '')) return this.fail(path, 'a field path is dotted names, e.g. data.customer.id');
    if (segments.length > PAYLOAD_FILTER_LIMITS.maxPathSegments) {
      return this.fail(path, `a field path has at most ${PAYLOAD_FILTER_LIMITS.maxPathSegments} parts`);
    }
    const root = segments[0]!;
    if (!(ENVELOPE_FIELDS as readonly string[]).includes(root)) {
      return this.fail(path, `unknown field ${root}: a path starts with one of ${ENVELOPE_FIELDS.join(', ')}`);
    }
    if (segments.length > 1 && !NESTED_FIELDS.includes(root)) return this.fail(path, `${root} has no fields below it`);
    return segments;
  }

  private test(operator: string, value: unknown, path: Path): FieldTest | undefined {
    switch (operator) {
      case '$eq':
      case '$ne': {
        const scalar = this.scalar(value, path);
        return scalar === undefined ? undefined : { operator, value: scalar };
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        if (typeof value !== 'number' && typeof value !== 'string')
          return this.fail(path, `${operator} compares with a number or a string`);
        const scalar = this.scalar(value, path);
        return scalar === undefined ? undefined : { operator, value: scalar as string | number };
      }
      case '$in':
      case '$nin': {
        if (!Array.isArray(value)) return this.fail(path, `${operator} takes a list of values`);
        if (value.length > PAYLOAD_FILTER_LIMITS.maxInValues)
          return this.fail(path, `${operator} takes at most ${PAYLOAD_FILTER_LIMITS.maxInValues} values`);
        const values = value.map((item, index) => this.scalar(item, [...path, index]));
        if (values.some((item) => item === undefined)) return undefined;
        return { operator, values: values as FilterScalar[] };
      }
      case '$exists':
        if (typeof value !== 'boolean') return this.fail(path, '$exists takes true or false');
        return { operator, value };
      default:
        return this.fail(path, `unknown operator ${operator}: one of ${COMPARISON_OPERATORS.join(', ')}`);
    }
  }

  private scalar(value: unknown, path: Path): FilterScalar | undefined {
    if (typeof value === 'string') {
      if (value.length > PAYLOAD_FILTER_LIMITS.maxStringLength) {
        return this.fail(path, `a string to compare with has at most ${PAYLOAD_FILTER_LIMITS.maxStringLength} characters`);
      }
      return value;
    }
    if (typeof value === 'number') return Number.isFinite(value) ? value : this.fail(path, 'must be a finite number');
    if (typeof value === 'boolean' || value === null) return value;
    return this.fail(path, 'compares with a string, number, boolean or null (objects and lists are not values here)');
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The API's schema for a filter: a JSON object the parser accepts, its issues as field errors. */
export const payloadFilterSchema = z
  .record(z.string(), z.unknown())
  .superRefine((value, ctx) => {
    const parsed = parsePayloadFilter(value);
    if (!parsed.ok) for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  })
  .describe(
    'Payload filter over the event envelope (README "Payload filters"): field paths (id, type, timestamp, tenantId, resourceId, ' +
      'operation, triggeredBy, data.…, previous.…) to a value (equality) or to operators $eq $ne $gt $gte $lt $lte $in $nin $exists; ' +
      'combine with $and, $or, $not. Keys of one object all hold (AND). Example: ' +
      '{ "data.amount": { "$gt": 100 }, "operation": { "$in": ["INSERT", "UPDATE"] } }',
  );
