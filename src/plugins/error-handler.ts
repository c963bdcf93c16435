import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, apiError } from '../domain/errors.js';
import { errorEnvelope, type Engine } from '../http/engine.js';
import { MAX_PARAM_LENGTH } from '../http/router.js';
import { validationError } from '../schemas/validation-message.js';
import { answerAfterDiscardingBody } from './oversized-body.js';

export { MAX_PARAM_LENGTH };

/**
 * The errors Fastify itself raises, in the mock's words: every failure — domain rules, auth,
 * Fastify's own (JSON, media type, body size, URL), unknown routes, bugs — leaves as
 * `{"error":{"code":status,"message":text}}`, its message from the one table (src/domain/errors.ts).
 * Never Fastify's default shape or wording, never a stack trace.
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
  return reply.code(error.status).send(errorEnvelope(error));
}

/**
 * The server's error handler: Fastify's error in the mock's words, answered through the engine
 * (which journals a refused API request: the route's operation says which it is). A body over the limit is answered only
 * after the rest of it has been read and thrown away (src/plugins/oversized-body.ts), so nothing is
 * returned then: the reply is sent later.
 */
export function errorHandler(engine: Engine) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
    const apiErr = toApiError(error, request);
    if (apiErr.id === 'internal') request.log.error({ err: error }, 'request failed');
    const outcome = engine.fail(apiErr, request, reply, request.routeOptions.config.operation);
    if (outcome.headers) reply.headers(outcome.headers);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      answerAfterDiscardingBody(request, reply, request.routeOptions.bodyLimit, () => reply.code(outcome.status).send(outcome.body));
      return undefined;
    }
    return reply.code(outcome.status).send(outcome.body);
  };
}
