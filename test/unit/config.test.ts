import { ConfigError, parseConfig } from '../../src/config';

describe('configuration', () => {
  it('applies development defaults', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_NAMESPACE).toBe('default');
    expect(config.TEMPORAL_TASK_QUEUE).toBe('hookrelay');
    expect(config.HOOKRELAY_ALLOW_HTTP).toBe(true);
    expect(config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS).toBe(true);
  });

  it('closes http and private networks by default in production', () => {
    const config = parseConfig({ NODE_ENV: 'production' });
    expect(config.HOOKRELAY_ALLOW_HTTP).toBe(false);
    expect(config.HOOKRELAY_ALLOW_PRIVATE_NETWORKS).toBe(false);
  });

  it('names the variable and the problem for a bad value', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/PORT: .*got "eighty"/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must be a URL \(postgres: or postgresql:\)/);
    expect(() => parseConfig({ TEMPORAL_ADDRESS: 'localhost' })).toThrow(/TEMPORAL_ADDRESS: must be host:port/);
    expect(() => parseConfig({ HOOKRELAY_ALLOW_HTTP: 'maybe' })).toThrow(/HOOKRELAY_ALLOW_HTTP: must be true or false/);
    expect(() => parseConfig({ HOOKRELAY_ENCRYPTION_KEY: 'short' })).toThrow(/HOOKRELAY_ENCRYPTION_KEY: must be 32 bytes/);
  });

  it('reports every bad variable at once', () => {
    try {
      parseConfig({ PORT: '-1', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => issue.split(':')[0]).sort()).toEqual(['LOG_LEVEL', 'PORT']);
    }
  });
});
