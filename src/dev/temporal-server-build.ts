// Builds the official Temporal server and its SQL schema tool from the Go module
// go.temporal.io/server (pinned) into the project cache, .tools/temporal-server/<version>/, once:
// `npm run test:cluster` runs them (the SQL tool carries its release's schema embedded). A build
// goes to a staging folder renamed at the end: an interrupted build leaves nothing that looks finished.
import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { isExecutableFile } from './temporal-binaries';

const execFileAsync = promisify(execFile);

/** The newest release whose go.mod this machine's Go (1.26.8) satisfies; v1.32.2 asks for 1.26.10. */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerBuild {
  version: string;
  dir: string;
  serverPath: string;
  sqlToolPath: string;
}

export function temporalServerBuild(toolsDir: string, version = TEMPORAL_SERVER_VERSION): TemporalServerBuild {
  const dir = path.resolve(toolsDir, 'temporal-server', version);
  return {
    version,
    dir,
    serverPath: path.join(dir, 'temporal-server'),
    sqlToolPath: path.join(dir, 'temporal-sql-tool'),
  };
}

export function isTemporalServerBuilt(build: TemporalServerBuild): boolean {
  return isExecutableFile(build.serverPath) && isExecutableFile(build.sqlToolPath);
}

export interface EnsureBuiltOptions {
  toolsDir: string;
  version?: string;
  /** The `go` command (default `go` on PATH). */
  go?: string;
  log?: (message: string) => void;
}

/** The cached build, or a new one (`go install` at nice 10: minutes on two shared cores). */
export async function ensureTemporalServerBuilt(options: EnsureBuiltOptions): Promise<TemporalServerBuild & { builtSeconds?: number }> {
  const build = temporalServerBuild(options.toolsDir, options.version);
  if (isTemporalServerBuilt(build)) return build;
  const go = options.go ?? 'go';
  const started = Date.now();
  const staging = `${build.dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const env = { ...process.env, GOBIN: staging, GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local' };
  try {
    options.log?.(`Building ${MODULE}@${build.version} (server and temporal-sql-tool) into ${build.dir}; the first build takes minutes …`);
    await execFileAsync(
      'nice',
      ['-n', '10', go, 'install', `${MODULE}/cmd/server@${build.version}`, `${MODULE}/cmd/tools/sql@${build.version}`],
      { env, timeout: 60 * 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    renameSync(path.join(staging, 'server'), path.join(staging, 'temporal-server'));
    renameSync(path.join(staging, 'sql'), path.join(staging, 'temporal-sql-tool'));
    const builtSeconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(
      path.join(staging, 'build.json'),
      JSON.stringify({ module: MODULE, version: build.version, builtSeconds }, null, 2) + '\n',
    );
    rmSync(build.dir, { recursive: true, force: true });
    mkdirSync(path.dirname(build.dir), { recursive: true });
    renameSync(staging, build.dir);
    options.log?.(`Built ${MODULE}@${build.version} in ${builtSeconds} s`);
    return { ...build, builtSeconds };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
