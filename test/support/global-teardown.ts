// Stops what global-setup started.
import { rmSync } from 'node:fs';
import type { EmbeddedPostgresServer } from '../../src/dev/embedded-postgres';
import type { TemporalDevServer } from '../../src/dev/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  const handles = (globalThis as Record<string, unknown>).__hookrelayTestStack as
    { postgres: EmbeddedPostgresServer; temporal: TemporalDevServer } | undefined;
  if (!handles) return;
  await Promise.allSettled([handles.temporal.stop(), handles.postgres.stop()]);
  const stack = JSON.parse(process.env.HOOKRELAY_TEST_STACK ?? '{}') as { workDir?: string };
  if (stack.workDir) rmSync(stack.workDir, { recursive: true, force: true });
}
