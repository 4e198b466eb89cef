// `npm run build:temporal-server` (and the first step of `npm run test:cluster`): builds the
// Temporal server and temporal-sql-tool from go.temporal.io/server into .tools/temporal-server/<version>/
// unless they are there already (HOOKRELAY_TOOLS_DIR moves .tools). Needs the Go toolchain.
import path from 'node:path';
import { ensureTemporalServerBuilt } from '../src/dev/temporal-server-build';

async function main(): Promise<void> {
  const toolsDir = path.resolve(__dirname, '..', process.env.HOOKRELAY_TOOLS_DIR || '.tools');
  const build = await ensureTemporalServerBuilt({ toolsDir, log: (line) => console.log(`[temporal-server] ${line}`) });
  if (build.builtSeconds === undefined) console.log(`[temporal-server] ${build.version} cached in ${build.dir}`);
}

main().catch((error: unknown) => {
  const failure = error as Error & { stderr?: string; code?: string };
  if (failure.code === 'ENOENT')
    console.error('[temporal-server] `go` is not installed: the cluster test builds the Temporal server with Go 1.26 or newer');
  else console.error(failure.stderr ?? failure.message);
  process.exit(1);
});
