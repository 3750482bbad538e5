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
import { AppError } from '@kiki/shared/errors';
import { csvSafeCell } from '../../audit/csv-safe';
import type { Database } from '../../db/database';
import { requireAccess } from '../../plugins/rbac';
import { PAGE_MAX } from '../pagination.schema';

/** Upper bound of one CSV export; a wider match is refused so nobody mistakes a cut-off file for the whole trail. */
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
export const auditRoutes: FastifyPluginCallbackZod<{
  db: Kysely<Database>;
  /** Most rows one CSV export may hold; AUDIT_EXPORT_MAX_ROWS unless given. */
  exportMaxRows?: number;
}> = (app, { db, exportMaxRows = AUDIT_EXPORT_MAX_ROWS }, done) => {
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
      // Every batch is read before streaming starts, so a failing query or an over-wide match becomes a clean
      // error response instead of a truncated file. One row past the cap is read to tell "exactly the cap" apart.
      let beforeSeq: number | undefined;
      const rows: Record<string, unknown>[] = [];
      for (;;) {
        const limit = Math.min(EXPORT_BATCH, exportMaxRows + 1 - rows.length);
        const batch = await queryAudit(db, orgId, filter, {
          limit,
          ...(beforeSeq === undefined ? {} : { beforeSeq }),
        });
        for (const row of batch) {
          const entry = toAuditEntry(row);
          rows.push(Object.fromEntries(CSV_COLUMNS.map((c) => [c, csvSafeCell(entry[c])])));
        }
        if (rows.length > exportMaxRows) {
          throw new AppError(
            'VALIDATION_FAILED',
            `More than ${exportMaxRows.toLocaleString('en-US')} audit rows match: narrow the filters (time range, actor, action) and export again.`,
            { maxRows: exportMaxRows },
          );
        }
        if (batch.length < limit) break;
        beforeSeq = batch.at(-1)?.seq;
      }
      const csv = stringify({ header: true, columns: CSV_COLUMNS });
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
