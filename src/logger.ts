// pino JSON logs; secrets are redacted by path wherever they could appear. Request lines
// (pino-http) carry no headers at all; activity lines carry ids only.
import pino, { type DestinationStream, type Logger } from 'pino';

export function createLogger(options: { level: string; name?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      name: options.name ?? 'hookrelay',
      level: options.level,
      redact: {
        paths: ['req.headers.authorization', 'headers.authorization', '*.secret', '*.password', '*.token', 'adminKey', 'key'],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
