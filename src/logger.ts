// pino JSON logs; secrets are redacted by path wherever they could appear.
import pino, { type Logger } from 'pino';

export function createLogger(options: { level: string; name?: string }): Logger {
  return pino({
    name: options.name ?? 'hookrelay',
    level: options.level,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.secret', '*.password', '*.token', 'adminKey', 'key'],
      censor: '[redacted]',
    },
  });
}
