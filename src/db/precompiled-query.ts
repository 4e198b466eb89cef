// Statements that Kysely builds and compiles once; every later run only binds its values. Meant
// for the statements every delivery runs: issue 17's worker profile had building and compiling
// the attempt's load and record statements at 8% of the worker's main thread.
import { CompiledQuery, type Compilable, type Kysely } from 'kysely';
import type { Database } from './schema';

/** Stands in for a named parameter while the statement is built; found again among the compiled parameters. */
class ParameterSlot {
  constructor(readonly name: string) {}
}

export type PrecompiledQuery<Params, Row> = (db: Kysely<Database>, params: Params) => Promise<Row[]>;

/**
 * `build` runs once, with a stand-in for each of `params`' values, so it must use them only as
 * values (never branch on them, never put them in an `in` list): what it builds is the same SQL
 * for any values. Each run sends that SQL with the run's values in the stand-ins' places, on the
 * connection or transaction it is given.
 */
export function precompiledQuery<Params extends Record<string, unknown>, Row>(
  build: (db: Kysely<Database>, params: Params) => Compilable<Row>,
): PrecompiledQuery<Params, Row> {
  let compiled: { sql: string; bind: (params: Params) => unknown[] } | undefined;
  return async (db, params) => {
    compiled ??= compile(db, build);
    const result = await db.executeQuery<Row>(CompiledQuery.raw(compiled.sql, compiled.bind(params)));
    return result.rows;
  };
}

function compile<Params extends Record<string, unknown>, Row>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, params: Params) => Compilable<Row>,
): { sql: string; bind: (params: Params) => unknown[] } {
  const slots = new Proxy({}, { get: (_, name) => new ParameterSlot(String(name)) }) as Params;
  const { sql, parameters } = build(db, slots).compile();
  const values = parameters.map((value) => (value instanceof ParameterSlot ? value : { constant: value }));
  return {
    sql,
    bind: (params) => values.map((value) => (value instanceof ParameterSlot ? params[value.name] : value.constant)),
  };
}
