/** Where an auth request came from; recorded on sessions and in the audit log. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const NO_REQUEST_CONTEXT: RequestContext = { ip: null, userAgent: null, requestId: null };
