// What of a JSON value hookrelay can store and process: text without NUL characters or unpaired
// UTF-16 surrogates (PostgreSQL text and jsonb refuse the one and cannot encode the other), and
// nesting no deeper than a bound (recursive code on the way — JSON.stringify, jsonb, ajv — would
// overflow). Checked at the boundary so such input is a 400, never a 500 or an endlessly retried write.

export const MAX_JSON_DEPTH = 64;
const MAX_ISSUES = 10;

export interface StorableIssue {
  path: string;
  message: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (UNPAIRED_SURROGATE.test(text)) return 'must not contain unpaired UTF-16 surrogates (not valid Unicode)';
  return null;
}

/** Every place in `value` that cannot be stored, as dotted paths under `prefix`. Iterative: any depth is safe. */
export function unstorableJsonIssues(value: unknown, prefix: string, maxDepth = MAX_JSON_DEPTH): StorableIssue[] {
  const issues: StorableIssue[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: prefix, depth: 0 }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      const problem = textProblem(item.value);
      if (problem) issues.push({ path: item.path, message: problem });
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= maxDepth) {
      issues.push({ path: item.path, message: `is nested deeper than ${maxDepth} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(item.value)) {
      const path = item.path ? `${item.path}.${key}` : key;
      const keyProblem = textProblem(key);
      if (keyProblem) issues.push({ path: item.path, message: `has a key that ${keyProblem}` });
      else stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return issues;
}
