import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isAppError, type ErrorCode } from '@kiki/shared/errors';
import { codeForStatus, STATUS_FOR_CODE } from '../http/error-status';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** PostgreSQL SQLSTATEs that mean "the input was wrong", not "the server broke". */
const PG_INPUT_ERRORS: Readonly<Record<string, { code: ErrorCode; message: string }>> = {
  '23505': { code: 'CONFLICT', message: 'Something with the same unique value already exists.' },
  '23503': { code: 'VALIDATION_FAILED', message: 'The request refers to something that does not exist.' },
  '23514': { code: 'VALIDATION_FAILED', message: 'A value is outside what is allowed.' },
  '22001': { code: 'VALIDATION_FAILED', message: 'A value is too long.' },
  '22P02': { code: 'VALIDATION_FAILED', message: 'A value has the wrong format.' },
  '22003': { code: 'VALIDATION_FAILED', message: 'A number is out of range.' },
  '22021': { code: 'VALIDATION_FAILED', message: 'Text contains bytes that are not valid UTF-8.' },
};

function describeValidation(error: FastifyError): string {
  const issues = error.validation ?? [];
  const parts = issues.slice(0, 5).map((issue) => {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const where = error.validationContext ?? 'input';
    return `${where}${path === '' ? '' : `.${path}`}: ${issue.message ?? 'is invalid'}`;
  });
  return parts.length > 0 ? `Invalid request. ${parts.join('; ')}` : 'Invalid request.';
}

function send(reply: FastifyReply, status: number, code: ErrorCode, message: string, details?: unknown): FastifyReply {
  // Details are structured facts a client acts on (a sync gap's expected id, the supported protocol range).
  const body: ErrorBody = { error: details === undefined ? { code, message } : { code, message, details } };
  return reply.status(status).type('application/json; charset=utf-8').send(body);
}

/**
 * One place that turns every failure into `{ error: { code, message } }`: AppErrors keep their code,
 * invalid input is a 4xx that says what is wrong, and anything unexpected is a 500 whose detail stays
 * in the log.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (isAppError(error)) {
      const status = STATUS_FOR_CODE[error.code];
      const retryAfter = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (typeof retryAfter === 'number' && retryAfter > 0) reply.header('retry-after', String(Math.ceil(retryAfter)));
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      return send(reply, status, error.code, error.message, status >= 500 ? undefined : error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation !== undefined) {
      return send(reply, 400, 'VALIDATION_FAILED', describeValidation(error));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return send(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large; send less data per request.');
    }
    const pgCode = (error as { code?: unknown }).code;
    if (typeof pgCode === 'string' && pgCode in PG_INPUT_ERRORS) {
      const mapped = PG_INPUT_ERRORS[pgCode];
      if (mapped !== undefined) {
        request.log.info({ pgCode, detail: (error as { detail?: unknown }).detail }, 'database rejected input');
        return send(reply, STATUS_FOR_CODE[mapped.code], mapped.code, mapped.message);
      }
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      return send(reply, status, codeForStatus(status), error.message || 'The request was not accepted.');
    }
    request.log.error({ err: error }, 'unexpected error');
    return send(
      reply,
      500,
      'INTERNAL',
      `Something went wrong on the server. Quote request id ${request.id} to your admin.`,
    );
  });

  app.setNotFoundHandler((request, reply) => {
    return send(
      reply,
      404,
      'NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}; check the URL.`,
    );
  });
}
