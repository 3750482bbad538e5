/** What tests/e2e/sync/team-server.ts seeded, for the sync spec to sign in and check against. */
export interface SyncSeed {
  orgName: string;
  clients: { acme: string; nordic: string };
  campaigns: { spring: string; trails: string };
  springAdId: string;
  copyId: string;
  users: Record<'ana' | 'ben' | 'olga', { id: string; email: string; password: string; totpSecret: string }>;
}
