import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { errorCodeSchema } from '@kiki/shared/errors';

function errorResponse(description: string) {
  return {
    description,
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: errorCodeSchema.options },
          message: { type: 'string', description: 'What happened and what to do about it.' },
        },
      },
    },
  };
}

/**
 * Zod schemas to JSON Schema, plus what every route can answer besides success: the error envelope for
 * bad input, missing sign-in, missing permission and rate limits; public routes need no bearer token.
 */
export const openApiTransform: SwaggerTransform = (args) => {
  const transformed = jsonSchemaTransform(args);
  const schema = transformed.schema as FastifySchema & { response?: Record<string, unknown> };
  const permission = args.route.config?.permission;
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  response['400'] ??= errorResponse('Invalid input (VALIDATION_FAILED), with the field at fault.');
  response['429'] ??= errorResponse('Too many requests (RATE_LIMITED); see Retry-After.');
  const extra: Pick<FastifySchema, 'security'> = {};
  if (permission === 'public') {
    extra.security = [];
  } else {
    response['401'] ??= errorResponse('Missing, invalid or expired access token (UNAUTHENTICATED, TOKEN_EXPIRED).');
    if (permission !== 'authenticated') {
      response['403'] ??= errorResponse(`The caller's roles do not grant ${String(permission)} (FORBIDDEN).`);
    }
  }
  return { ...transformed, schema: { ...schema, ...extra, response } };
};
