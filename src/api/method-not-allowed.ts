// A method the document does not list for a path it does list gets 405 with `Allow` (RFC 9110
// §15.5.6), not 404: the resource exists. The paths and methods come from the OpenAPI document,
// the one list of what the API answers, so a new route needs nothing here.
import type { RequestHandler } from 'express';
import { problem, sendProblem } from './problems';

interface DocumentedPath {
  pattern: RegExp;
  allow: string[];
  /** Its `{…}` segments: a path with fewer is the more specific (`/events/batch` before `/events/{id}`). */
  parameters: number;
}

/** In the order `Allow` lists them. */
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];

function documentedPaths(paths: Record<string, object>): DocumentedPath[] {
  return Object.entries(paths).map(([template, operations]) => {
    const methods = Object.keys(operations)
      .map((key) => key.toUpperCase())
      .filter((method) => HTTP_METHODS.includes(method));
    // Express answers HEAD wherever it answers GET.
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return { pattern: new RegExp(`^${source}/?$`), allow: methods, parameters: (template.match(/\{[^}]+\}/g) ?? []).length };
  });
}

export function methodNotAllowed(document: { paths?: Record<string, object> }): RequestHandler {
  const paths = documentedPaths(document.paths ?? {});
  return (req, res, next) => {
    // As OpenAPI resolves paths: a concrete path wins over a templated one that also matches.
    const candidates = paths.filter((p) => p.pattern.test(req.path));
    const fewest = Math.min(...candidates.map((p) => p.parameters));
    const matching = candidates.filter((p) => p.parameters === fewest);
    if (matching.length === 0 || matching.some((p) => p.allow.includes(req.method))) return next();
    const allow = HTTP_METHODS.filter((method) => matching.some((p) => p.allow.includes(method)));
    res.set('allow', allow.join(', '));
    sendProblem(
      res,
      problem(405, 'method-not-allowed', 'Method not allowed', `${req.method} is not allowed on ${req.path}; allowed: ${allow.join(', ')}`),
    );
  };
}
