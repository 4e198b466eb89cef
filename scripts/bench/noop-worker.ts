// Child process for the ceiling measurement: a worker with the no-op workflow and activity,
// with the same tuning variables as hookrelay's worker.
import { NativeConnection, Worker } from '@temporalio/worker';
import { parseConfig } from '../../src/config';
import { deliveryTuning } from '../../src/runtime';

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    taskQueue: 'bench-noop',
    workflowsPath: require.resolve('./noop.workflows'),
    activities: { noop: async () => undefined },
    ...deliveryTuning(config).tuning,
  });
  process.once('SIGTERM', () => worker.shutdown());
  console.log('noop worker running');
  await worker.run();
  await connection.close();
}

void main();
