import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { MockConfig } from './config.js';
import { redactUrl } from './domain/redaction.js';

/** A place for the app's log lines other than stdout (tests read them from here). */
export interface LogStream {
  write(line: string): void;
}

/**
 * The server's pino options for `--log-level`: nothing at `silent`; otherwise credentials never
 * logged (the `Authorization`, `Cookie` and `X-Api-Key` headers censored, plaintext keys and
 * secret-named query fields masked in the URL by the journal's rules), pretty on a terminal and
 * JSON lines otherwise (containers, CI, log shippers).
 */
export function loggerOptions(config: Pick<MockConfig, 'logLevel'>, stream?: LogStream): FastifyServerOptions['logger'] {
  if (config.logLevel === 'silent') return false;
  return {
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'], censor: '[redacted]' },
    // Fastify's own request serializer with the URL masked (`redactUrl`: for a URL without a query
    // string, `%` or `sk-or-v1-`, three `includes` and the same string back).
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        version: request.headers['accept-version'] as string | undefined,
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
    ...(stream
      ? { stream }
      : process.stdout.isTTY
        ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } }
        : {}),
  };
}
