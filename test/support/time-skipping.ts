// hookrelay on Temporal's time-skipping test server: long retry schedules run in seconds.
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseConfig } from '../../src/config';
import { SecretBox } from '../../src/domain/secret-box';
import { assertStillExecutable, temporalTestServer } from '../../src/dev/temporal-binaries';
import { createServiceContext, deliveryTuning } from '../../src/runtime';
import type { ServiceContext } from '../../src/services/context';
import { createHookrelayWorker } from '../../src/temporal/create-worker';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes';
import { createTestDatabase, testStack, type TestDatabase } from './stack';

export interface TimeSkippingHookrelay {
  env: TestWorkflowEnvironment;
  ctx: ServiceContext;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTimeSkippingHookrelay(): Promise<TimeSkippingHookrelay> {
  const stack = testStack();
  // Found by global-setup; checked again so a vanished one is a clear error naming the fix.
  assertStillExecutable(temporalTestServer, stack.temporalTestServerPath);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: stack.temporalTestServerPath } },
  });
  // A failure past this point must not leave the test server process (or a database) behind.
  const cleanups: Array<() => Promise<void>> = [() => env.teardown()];
  const orCleanUp = async <T>(step: Promise<T>): Promise<T> =>
    step.catch(async (error: unknown) => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
      throw error;
    });
  // The test server knows only its built-in search attributes until told about ours.
  await orCleanUp(registerSearchAttributes(env.connection, env.namespace ?? 'default'));
  const database = await orCleanUp(createTestDatabase());
  cleanups.push(() => database.destroy());
  const config = parseConfig({
    NODE_ENV: 'test',
    TEMPORAL_TASK_QUEUE: `ts-${randomBytes(6).toString('hex')}`,
    LOG_LEVEL: 'silent',
    // Receivers listen on http://127.0.0.1: the development values, set explicitly (they are off by default).
    HOOKRELAY_ALLOW_HTTP: 'true',
    HOOKRELAY_ALLOW_PRIVATE_NETWORKS: 'true',
    // Activities read the wall clock while this server skips workflow time: an endpoint-wide
    // back-off of minutes would never pass. These tests are about each delivery's own schedule.
    HOOKRELAY_CIRCUIT_ENABLED: 'false',
  });
  const ctx = createServiceContext(config, { db: database.db, temporal: env.client, encryptionKey: SecretBox.generateKey() });
  const worker = await orCleanUp(
    createHookrelayWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services: ctx,
      ...deliveryTuning(config),
      workflowBundlePath: stack.workflowBundlePath,
    }),
  );
  const running = worker.run();
  return {
    env,
    ctx,
    database,
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      await database.destroy();
    },
  };
}
