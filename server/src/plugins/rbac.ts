import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import { AppError } from '@kiki/shared/errors';
import {
  can,
  clientScope,
  ORG_ONLY_PERMISSIONS,
  permissionSchema,
  type Grant,
  type Permission,
} from '@kiki/shared/permissions';
import type { Database } from '../db/database';

/** `public`: no sign-in. `authenticated`: any signed-in user. Otherwise the permission the matrix must grant. */
export type RoutePermission = Permission | 'public' | 'authenticated';

/** What the signed-in user may reach on this route, for the handler to put in its queries. */
export interface Access {
  userId: string;
  orgId: string;
  grants: Grant[];
  /** Clients the route's permission reaches: 'all' or an explicit list (never empty on an allowed request). */
  clients: 'all' | string[];
}

/** One registered route and what it demands, as the RBAC plugin saw it at registration. */
export interface RouteDeclaration {
  method: string;
  url: string;
  permission: RoutePermission;
  grantScope?: 'org';
  /** Whether the route validates a request body. */
  hasBodySchema: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with its declared permission: for the role x route matrix test and audits of the API. */
    routeDeclarations: RouteDeclaration[];
  }
  interface FastifyContextConfig {
    /** Every route must declare this; the app refuses to start otherwise. */
    permission?: RoutePermission;
    /** 'org' demands an agency-wide grant even for a client-scoped permission (e.g. creating a client). */
    grantScope?: 'org';
  }
  interface FastifyRequest {
    access: Access | null;
  }
}

export function isRoutePermission(value: unknown): value is RoutePermission {
  return value === 'public' || value === 'authenticated' || permissionSchema.safeParse(value).success;
}

/** The client a request targets, from `:clientId` in the path or `?clientId=` in the query. */
export function targetClientId(request: FastifyRequest): string | undefined {
  const fromParams = (request.params as Record<string, unknown> | undefined)?.clientId;
  if (typeof fromParams === 'string') return fromParams;
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.clientId;
  return typeof fromQuery === 'string' ? fromQuery : undefined;
}

/**
 * Whether `grants` allow a route declaring `permission`: agency-only permissions (and routes marked
 * grantScope 'org') need an org-wide grant; client-scoped ones need a grant reaching the targeted client,
 * or any client when the route targets none (the handler then filters by `access.clients`).
 */
export function routeAllows(
  grants: readonly Grant[],
  permission: Permission,
  options: { grantScope?: 'org'; clientId?: string },
): boolean {
  if (ORG_ONLY_PERMISSIONS.has(permission) || options.grantScope === 'org') return can(grants, permission);
  if (options.clientId !== undefined) return can(grants, permission, options.clientId);
  const scope = clientScope(grants, permission);
  return scope === 'all' || scope.length > 0;
}

export async function loadGrants(db: Kysely<Database>, orgId: string, userId: string): Promise<Grant[]> {
  const rows = await db
    .selectFrom('memberships')
    .select(['role', 'client_ids'])
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .execute();
  return rows.map((r) => ({ role: r.role, clientIds: r.client_ids }));
}

/**
 * Deny by default: a route without a declared permission stops the server at start-up, and every request
 * to a protected route is checked against the shared permission matrix before its input is even validated.
 */
export const rbacPlugin = fp(
  (app: FastifyInstance, options: { db: Kysely<Database> }, done: (err?: Error) => void) => {
    app.decorateRequest('access', null);
    const declarations: RouteDeclaration[] = [];
    app.decorate('routeDeclarations', declarations);

    app.addHook('onRoute', (route) => {
      const permission = route.config?.permission;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (!isRoutePermission(permission)) {
        throw new Error(
          `Route ${methods.join(',')} ${route.url} declares no permission: add config.permission ('public', 'authenticated' or a Permission).`,
        );
      }
      for (const method of methods) {
        declarations.push({
          method,
          url: route.url,
          permission,
          hasBodySchema: route.schema?.body !== undefined,
          ...(route.config?.grantScope === undefined ? {} : { grantScope: route.config.grantScope }),
        });
      }
    });

    app.addHook('preValidation', async (request) => {
      // The not-found handler has no route and nothing to protect: it answers 404 to everyone alike.
      if (request.is404) return;
      const config = request.routeOptions.config;
      const permission = config.permission;
      if (permission === 'public') return;
      const auth = request.auth;
      if (auth === null) throw new AppError('UNAUTHENTICATED', 'Sign in to use this endpoint.');
      if (permission === 'authenticated') return;
      if (permission === undefined) throw new AppError('FORBIDDEN', 'This endpoint declares no permission.');

      const grants = await loadGrants(options.db, auth.orgId, auth.userId);
      const clientId = targetClientId(request);
      const allowed = routeAllows(grants, permission, {
        ...(config.grantScope === undefined ? {} : { grantScope: config.grantScope }),
        ...(clientId === undefined ? {} : { clientId }),
      });
      if (!allowed) {
        throw new AppError('FORBIDDEN', `Your role does not allow this (${permission}); ask an agency admin.`);
      }
      request.access = { userId: auth.userId, orgId: auth.orgId, grants, clients: clientScope(grants, permission) };
    });
    done();
  },
  { name: 'kiki-rbac' },
);

/** The access of a request that passed RBAC; routes call this instead of trusting the body for the tenant. */
export function requireAccess(request: FastifyRequest): Access {
  if (request.access === null) {
    throw new AppError('UNAUTHENTICATED', 'Sign in to use this endpoint.');
  }
  return request.access;
}
