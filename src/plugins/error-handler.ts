import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError, apiError } from '../domain/errors.js';
import { answerAfterDiscardingBody } from './oversized-body.js';
import { validationError } from './validation-message.js';

/**
 * The longest path parameter (a `:hash`) the router takes; a longer one is a 414. Fastify's
 * default, stated here so that the message can say it.
 */
export const MAX_PARAM_LENGTH = 100;

/**
 * The one error path: every failure — domain rules, auth, Fastify's own (schema, JSON, media type,
 * body size, URL), unknown routes, bugs — leaves as `{"error":{"code":status,"message":text}}`,
 * its message from the one table (src/domain/errors.ts). Never Fastify's default shape or wording,
 * never a stack trace.
 */
export function toApiError(error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) return validationError(error.validation, error.validationContext ?? 'body');
  // Every error Fastify raises while reading a request (the rest are start-up errors or bugs).
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // The route's own limit: `--body-limit` on the API, the control plane's larger one on /__mock.
      return apiError('bodyTooLarge', request.routeOptions.bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('unsupportedMediaType', request.headers['content-type']);
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return apiError('unsupportedMediaType', undefined);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return apiError('emptyJsonBody');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiError('malformedJson');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return apiError('contentLengthMismatch');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return apiError('malformedUrl');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return apiError('pathSegmentTooLong', MAX_PARAM_LENGTH);
    // The body's stream failed: the client went away in the middle of it.
    case 'ECONNRESET':
      return apiError('incompleteRequest');
  }
  const status = error.statusCode ?? 500;
  // The JSON parser's own errors (prototype poisoning included) carry no Fastify code.
  if (error instanceof SyntaxError && status === 400) return apiError('malformedJson');
  if (status === 400) return apiError('unreadableRequest');
  if (status > 400 && status < 500) return apiError('clientError', status);
  return apiError('internal');
}

export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  const body = { code: error.status, message: error.message, ...(error.metadata ? { metadata: error.metadata } : {}) };
  return reply.code(error.status).send({ error: body });
}

/**
 * Answers an error in the OpenRouter shape (logging bugs). `answered` learns the status first, once:
 * the API's scope uses it for the request journal. A body over the limit is answered only after the
 * rest of it has been read and thrown away (src/plugins/oversized-body.ts), so nothing is returned
 * then: the reply is sent later.
 */
export function answerError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  answered?: (status: number) => void,
): FastifyReply | undefined {
  const apiErr = toApiError(error, request);
  if (apiErr.status >= 500) request.log.error({ err: error }, 'request failed');
  answered?.(apiErr.status);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    answerAfterDiscardingBody(request, reply, request.routeOptions.bodyLimit, () => sendApiError(reply, apiErr));
    return undefined;
  }
  return sendApiError(reply, apiErr);
}

export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => answerError(error, request, reply));
    app.setNotFoundHandler((request, reply) => {
      sendApiError(reply, apiError('routeNotFound', request.method, request.url.split('?')[0] ?? request.url));
    });
  },
  { name: 'error-handler' },
);
