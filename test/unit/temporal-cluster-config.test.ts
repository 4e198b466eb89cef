// The Temporal server settings file (deploy/temporal/server.env) is read strictly: a setting the
// cluster test's server cannot run with is refused with its name, never silently defaulted.
import { parseEnvFile, temporalClusterEnv, temporalServerSettings } from '../../src/dev/temporal-cluster-config';

const valid = {
  DB: 'postgres12',
  DBNAME: 'temporal',
  VISIBILITY_DBNAME: 'temporal_visibility',
  ENABLE_ES: 'false',
  NUM_HISTORY_SHARDS: '4',
};

describe('Temporal server settings', () => {
  it('reads KEY=VALUE lines, skipping comments and blank lines', () => {
    expect(parseEnvFile('# a comment\n\nDB=postgres12\n  NUM_HISTORY_SHARDS=4  \n')).toEqual({ DB: 'postgres12', NUM_HISTORY_SHARDS: '4' });
  });

  it('refuses a line that is not KEY=VALUE, naming its number', () => {
    expect(() => parseEnvFile('DB=postgres12\nnot a setting\n')).toThrow(/line 2: expected KEY=VALUE/);
  });

  it('takes PostgreSQL persistence, two databases and the shard count', () => {
    expect(temporalServerSettings(valid)).toEqual({
      sqlPlugin: 'postgres12',
      database: 'temporal',
      visibilityDatabase: 'temporal_visibility',
      numHistoryShards: 4,
    });
  });

  it.each([
    [{ DB: 'cassandra' }, /DB must be postgres12/],
    [{ ENABLE_ES: 'true' }, /visibility stays on PostgreSQL/],
    [{ NUM_HISTORY_SHARDS: '0' }, /NUM_HISTORY_SHARDS must be a positive integer/],
    [{ NUM_HISTORY_SHARDS: 'four' }, /NUM_HISTORY_SHARDS must be a positive integer/],
    [{ DBNAME: '' }, /DBNAME is missing/],
  ])('refuses %j', (change, message) => {
    expect(() => temporalServerSettings({ ...valid, ...change })).toThrow(message);
  });

  it('binds every service of the test server to loopback on the ports it was given', () => {
    const ports = {
      frontendGrpc: 21001,
      frontendHttp: 21002,
      frontendMembership: 21003,
      historyGrpc: 21004,
      historyMembership: 21005,
      matchingGrpc: 21006,
      matchingMembership: 21007,
      workerGrpc: 21008,
      workerMembership: 21009,
    };
    const env = temporalClusterEnv({
      settings: valid,
      postgres: { host: '127.0.0.1', port: 5432, user: 'u', password: 'p' },
      ports,
      dynamicConfigFile: '/abs/dynamicconfig.yaml',
    });
    expect(env).toMatchObject({
      BIND_ON_IP: '127.0.0.1',
      TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
      FRONTEND_GRPC_PORT: '21001',
      HISTORY_MEMBERSHIP_PORT: '21005',
      WORKER_MEMBERSHIP_PORT: '21009',
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: '5432',
      DYNAMIC_CONFIG_FILE_PATH: '/abs/dynamicconfig.yaml',
    });
  });
});
