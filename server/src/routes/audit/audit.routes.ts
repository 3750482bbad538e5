import { stringify } from 'csv-stringify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  auditEntrySchema,
  auditFilterSchema,
  queryAudit,
  toAuditEntry,
  type AuditEntryResponse,
} from '../../audit/audit.repository';
import { csvSafeCell } from '../../audit/csv-safe';
import type { Database } from '../../db/database';
import { requireAccess } from '../../plugins/rbac';
import { PAGE_MAX } from '../pagination.schema';

/** Upper bound of one CSV export; narrow the filters (e.g. a time range) for more. */
export const AUDIT_EXPORT_MAX_ROWS = 100_000;
const EXPORT_BATCH = 1000;

const auditQuerySchema = auditFilterSchema.extend({
  limit: z.coerce.number().int().min(1).max(PAGE_MAX).default(50),
  beforeSeq: z.coerce.number().int().min(1).optional(),
});

const auditPageSchema = z.object({
  items: z.array(auditEntrySchema),
  /** Pass as `beforeSeq` for the next (older) page; null on the last page. */
  nextBeforeSeq: z.number().int().nullable(),
});

const CSV_COLUMNS: (keyof AuditEntryResponse)[] = [
  'seq',
  'occurredAt',
  'actorUserId',
  'action',
  'entityType',
  'entityId',
  'ip',
  'requestId',
  'data',
  'hash',
];

/** The agency's audit trail for admins: filtered queries and a CSV export of the same filters. */
export const auditRoutes: FastifyPluginCallbackZod<{ db: Kysely<Database> }> = (app, { db }, done) => {
  app.get(
    '/audit',
    {
      config: { permission: 'audit.read' },
      schema: { tags: ['audit'], querystring: auditQuerySchema, response: { 200: auditPageSchema } },
    },
    async (request) => {
      const { orgId } = requireAccess(request);
      const { limit, beforeSeq, ...filter } = request.query;
      const rows = await queryAudit(db, orgId, filter, { limit: limit + 1, ...(beforeSeq ? { beforeSeq } : {}) });
      const items = rows.slice(0, limit).map(toAuditEntry);
      return { items, nextBeforeSeq: rows.length > limit ? (items.at(-1)?.seq ?? null) : null };
    },
  );

  app.get(
    '/audit/export.csv',
    {
      config: { permission: 'audit.read' },
      schema: { tags: ['audit'], querystring: auditFilterSchema },
    },
    async (request, reply) => {
      const { orgId } = requireAccess(request);
      const filter = request.query;
      const csv = stringify({ header: true, columns: CSV_COLUMNS });
      // Batches are read before streaming starts writing, so a failing query becomes a clean error response.
      let beforeSeq: number | undefined;
      let total = 0;
      const rows: Record<string, unknown>[] = [];
      while (total < AUDIT_EXPORT_MAX_ROWS) {
        const batch = await queryAudit(db, orgId, filter, {
          limit: Math.min(EXPORT_BATCH, AUDIT_EXPORT_MAX_ROWS - total),
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
        });
        for (const row of batch) {
          const entry = toAuditEntry(row);
          rows.push(Object.fromEntries(CSV_COLUMNS.map((c) => [c, csvSafeCell(entry[c])])));
        }
        total += batch.length;
        if (batch.length < EXPORT_BATCH) break;
        beforeSeq = batch.at(-1)?.seq;
      }
      for (const row of rows) csv.write(row);
      csv.end();
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-log.csv"')
        .send(csv);
    },
  );
  done();
};
