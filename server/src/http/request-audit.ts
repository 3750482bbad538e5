import type { FastifyRequest } from 'fastify';

/** Where a change came from, for its audit row. */
export function auditOrigin(request: FastifyRequest): { ip: string | null; requestId: string } {
  return { ip: request.ip ?? null, requestId: request.id };
}
