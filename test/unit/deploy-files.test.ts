// No container engine runs here, so the deployment files are checked by reading them: the compose
// file's services, images, commands and environment against the config schema, and the
// Dockerfile's stages against what `npm run build` produces.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { configSchema, parseConfig } from '../../src/config';
import {
  parseEnvFile,
  schemaSetupEnv,
  TEMPORAL_DYNAMIC_CONFIG_FILE,
  TEMPORAL_SCHEMA_SCRIPT,
  TEMPORAL_SERVER_SETTINGS_FILE,
  temporalClusterEnv,
  temporalServerSettings,
} from '../../src/dev/temporal-cluster-config';
import { TEMPORAL_SERVER_VERSION } from '../../src/dev/temporal-server-build';
import { temporalServerTuning } from '../../src/dev/temporal-server-tuning';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition: string }> | string[];
  deploy?: { replicas?: number };
  volumes?: string[];
  env_file?: string[];
  entrypoint?: string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const hookrelayServices = ['migrate', 'api', 'worker'] as const;

/** Compose interpolation: ${VAR:?message} / ${VAR} filled with a sample value; ${VAR:-default} with the default unless sampled. */
function interpolate(value: string, samples: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, kind?: string, fallback?: string) => {
    const sample = samples[name] ?? (kind === '-' ? fallback : undefined);
    if (sample === undefined) throw new Error(`no sample value for \${${name}}`);
    return sample;
  });
}

const samples = {
  HOOKRELAY_ADMIN_KEY: 'hr_admin_0123456789abcdef0123',
  HOOKRELAY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
};

/** A service's environment as compose gives it: its env_file(s), then its own environment over them. */
function environmentOf(name: string): Record<string, string> {
  const fromFiles = (services[name]?.env_file ?? []).map((file) => parseEnvFile(read(file)));
  const raw = Object.assign({}, ...fromFiles, services[name]?.environment ?? {}) as Record<string, string | number | boolean>;
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, interpolate(String(value), samples)]));
}

/** "node dist/src/x.js" → src/x.ts must exist and be compiled by tsconfig.build.json. */
function sourceOf(distFile: string): string {
  const match = /^dist\/(src\/.+)\.js$/.exec(distFile);
  if (!match) throw new Error(`${distFile} is not under dist/src`);
  return `${match[1]}.ts`;
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, a Temporal server on it, the Temporal UI, a one-shot migrate, the api and two workers', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker']));
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.temporal!.image).toMatch(/^temporalio\/server:/);
    expect(services['temporal-ui']!.image).toMatch(/^temporalio\/ui:/);
    const temporalEnv = environmentOf('temporal');
    expect(temporalEnv).toMatchObject({ DB: expect.stringMatching(/^postgres/), POSTGRES_SEEDS: 'postgres' });
    expect(services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    for (const name of hookrelayServices) expect({ name, build: services[name]!.build }).toEqual({ name, build: '.' });
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
    }
  });

  it('publishes the Temporal UI (no login of its own) on loopback only, unless TEMPORAL_UI_BIND says otherwise', () => {
    const ports = (services['temporal-ui'] as { ports?: string[] }).ports ?? [];
    expect(ports.length).toBeGreaterThan(0);
    for (const port of ports) {
      expect(interpolate(port, {})).toBe('127.0.0.1:8080:8080');
      expect(interpolate(port, { TEMPORAL_UI_BIND: '0.0.0.0' })).toBe('0.0.0.0:8080:8080');
    }
    // Nothing but the API (and the UI on loopback) is published on the host.
    for (const [name, service] of Object.entries(services)) {
      for (const port of (service as { ports?: string[] }).ports ?? []) {
        const published = interpolate(port, {});
        expect({ name, published }).toEqual({ name, published: name === 'api' ? '3000:3000' : expect.stringMatching(/^127\.0\.0\.1:/) });
      }
    }
  });

  it('turns on no development value: http and private networks stay refused, every process needs the encryption key', () => {
    for (const name of hookrelayServices) {
      const env = environmentOf(name);
      expect({ name, http: env.HOOKRELAY_ALLOW_HTTP, private: env.HOOKRELAY_ALLOW_PRIVATE_NETWORKS }).toEqual({
        name,
        http: undefined,
        private: undefined,
      });
    }
    expect(read('docker-compose.yml')).toMatch(/HOOKRELAY_ENCRYPTION_KEY: \$\{HOOKRELAY_ENCRYPTION_KEY:\?/);
    expect(read('Dockerfile')).not.toMatch(/HOOKRELAY_ALLOW_(HTTP|PRIVATE_NETWORKS)|HOOKRELAY_ENCRYPTION_KEY/);
  });

  it("gives the Temporal server hookrelay's server tuning, the same values the dev server gets", () => {
    const configPath = environmentOf('temporal').DYNAMIC_CONFIG_FILE_PATH;
    expect(configPath).toBeDefined();
    const mount = services.temporal!.volumes?.find((volume) => volume.split(':')[1] === `/etc/temporal/${configPath}`);
    expect(mount).toBeDefined();
    const file = mount!.split(':')[0]!;
    const dynamicConfig = parse(read(file)) as Record<string, Array<{ value: unknown; constraints?: unknown }>>;
    for (const [key, value] of Object.entries(temporalServerTuning)) {
      expect({ key, value: dynamicConfig[key] }).toEqual({ key, value: [{ value }] });
    }
  });

  it('starts each process from a file `npm run build` produces, the same ones the npm scripts run', () => {
    const tsconfigBuild = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/tsc -p tsconfig\.build\.json/);
    const expected = { migrate: 'dist/src/migrate.js', api: 'dist/src/server.js', worker: 'dist/src/worker.js' };
    for (const name of hookrelayServices) {
      const command = services[name]!.command!;
      const file = command[command.length - 1]!;
      expect({ name, runtime: command[0], file }).toEqual({ name, runtime: 'node', file: expected[name] });
      const source = sourceOf(file);
      expect({ source, exists: existsSync(path.join(root, source)) }).toEqual({ source, exists: true });
      expect(tsconfigBuild.include).toContain('src');
      // The same command, node flags included (the worker's bounded heap), as the npm script.
      expect(scripts[name]).toBe(command.join(' '));
    }
  });

  it('configures hookrelay only with variables the config schema knows, and they parse for production', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of hookrelayServices) {
      const env = environmentOf(name);
      const unknown = Object.keys(env).filter((key) => !known.has(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const config = parseConfig(env);
      expect(config).toMatchObject({ NODE_ENV: 'production', HOOKRELAY_ALLOW_HTTP: false, HOOKRELAY_ALLOW_PRIVATE_NETWORKS: false });
      expect(config.encryptionKeys).toEqual([{ id: 'default', key: samples.HOOKRELAY_ENCRYPTION_KEY }]);
      expect(config.HOOKRELAY_ADMIN_KEY).toBeDefined();

      // Wired to the services of this file: the database's credentials, Temporal's frontend.
      const database = new URL(config.DATABASE_URL!);
      const postgresEnv = environmentOf('postgres');
      expect({ host: database.hostname, user: database.username, password: database.password, db: database.pathname.slice(1) }).toEqual({
        host: 'postgres',
        user: postgresEnv.POSTGRES_USER,
        password: postgresEnv.POSTGRES_PASSWORD,
        db: postgresEnv.POSTGRES_DB,
      });
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
    }
    expect(environmentOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(parseConfig(environmentOf('api'))).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 3000,
      TEMPORAL_UI_URL: expect.stringMatching(/^http/),
    });
    expect(parseConfig(environmentOf('worker'))).toMatchObject({
      HOOKRELAY_WORKER_METRICS_PORT: 9464,
      TEMPORAL_METRICS_BIND_ADDRESS: '0.0.0.0:9465',
    });
  });
});

describe('the Temporal server settings: one source for docker-compose.yml and npm run test:cluster', () => {
  const settingsFile = parseEnvFile(read(TEMPORAL_SERVER_SETTINGS_FILE));
  const settings = temporalServerSettings(settingsFile);
  const samplePostgres = { host: '127.0.0.1', port: 5432, user: 'u', password: 'p' };
  const samplePorts = {
    frontendGrpc: 1,
    frontendHttp: 2,
    frontendMembership: 3,
    historyGrpc: 4,
    historyMembership: 5,
    matchingGrpc: 6,
    matchingMembership: 7,
    workerGrpc: 8,
    workerMembership: 9,
  };

  it('keeps persistence and visibility on PostgreSQL with more than one history shard', () => {
    expect(settings).toMatchObject({ sqlPlugin: expect.stringMatching(/^postgres12/), numHistoryShards: expect.any(Number) });
    expect(settings.numHistoryShards).toBeGreaterThan(1);
    expect(settings.database).not.toBe(settings.visibilityDatabase);
  });

  it("gives compose's schema job and server that file, and overrides none of its settings", () => {
    for (const name of ['temporal-schema', 'temporal']) {
      expect({ name, envFile: services[name]!.env_file }).toEqual({ name, envFile: [`./${TEMPORAL_SERVER_SETTINGS_FILE}`] });
      const overridden = Object.keys(services[name]!.environment ?? {}).filter((key) => key in settingsFile);
      expect({ name, overridden }).toEqual({ name, overridden: [] });
    }
  });

  it("gives the cluster test's server every setting of that file, unchanged", () => {
    const env = temporalClusterEnv({ settings: settingsFile, postgres: samplePostgres, ports: samplePorts, dynamicConfigFile: '/x.yaml' });
    expect(env).toMatchObject(settingsFile);
    // The connection and dynamic config variables are the ones compose sets for its server.
    const composeOwn = Object.keys(services.temporal!.environment ?? {});
    for (const key of composeOwn) expect({ key, inTestEnv: key in env }).toEqual({ key, inTestEnv: true });
    expect(schemaSetupEnv(settingsFile, samplePostgres)).toMatchObject(settingsFile);
  });

  it('runs the same schema script in compose as the cluster test, with the connection it reads', () => {
    const schema = services['temporal-schema']!;
    const mount = schema.volumes?.find((volume) => volume.startsWith(`./${TEMPORAL_SCHEMA_SCRIPT}:`));
    expect(mount).toBeDefined();
    expect(schema.entrypoint).toEqual(['/bin/sh', mount!.split(':')[1]]);
    expect(Object.keys(schema.environment ?? {}).sort()).toEqual(
      Object.keys(schemaSetupEnv(settingsFile, samplePostgres))
        .filter((key) => !(key in settingsFile))
        .sort(),
    );
    expect(services.temporal!.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  });

  it('runs in compose the release the cluster test builds, and mounts the dynamic config the test passes', () => {
    const release = TEMPORAL_SERVER_VERSION.replace(/^v/, '');
    for (const name of ['temporal-schema', 'temporal', 'temporal-setup']) {
      expect({ name, image: services[name]!.image }).toEqual({
        name,
        image: expect.stringMatching(new RegExp(`^temporalio/(server|admin-tools):${release}$`)),
      });
    }
    expect(services.temporal!.volumes).toContainEqual(expect.stringMatching(new RegExp(`^\\./${TEMPORAL_DYNAMIC_CONFIG_FILE}:`)));
  });

  it('creates the namespace with the retention hookrelay keeps its attempts for, and the search attributes', () => {
    const command = (services['temporal-setup'] as { command?: string[] }).command!.join(' ');
    const retentionDays = environmentOf('worker').HOOKRELAY_RETENTION_DAYS;
    expect(command).toMatch(new RegExp(`namespace create --namespace default --retention ${retentionDays}d`));
    for (const name of ['HookrelayTenantId', 'HookrelayEndpointId', 'HookrelayEventType', 'HookrelayDeliveryStatus'])
      expect(command).toContain(name);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1]!, name: m[2] }));

  it('builds in one Debian-based Node stage and runs from another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage.image).toMatch(/^node:\d+-(bookworm|bullseye|trixie)(-slim)?$/);
    expect(stages[0]!.name).toBe('build');
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).not.toMatch(/^RUN .*npm ci\b/m);
  });

  it('carries dist (with the prebuilt workflow bundle) and the console into the runtime stage', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/COPY --from=build \/app\/dist \.\/dist/);
    expect(runtime).toMatch(/COPY --from=build \/app\/node_modules/);
    expect(runtime).toMatch(/COPY console \.\/console/);
    expect(existsSync(path.join(root, 'console/index.html'))).toBe(true);
    expect(read('scripts/bundle-workflows.ts')).toMatch(/workflow-bundle\.js/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/CMD \["node", "dist\/src\/server\.js"\]/);
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).not.toContain('console');
  });
});
