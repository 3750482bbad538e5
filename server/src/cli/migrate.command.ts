import type { Command } from 'commander';
import { getMigrationStatus, runMigrations } from '../db/migrate';
import { appliedMigrations, withDatabase, type CliContext } from './cli-context';
import { emit } from './cli-io';

export function registerMigrateCommands(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (safe while other instances start: it takes a lock)')
    .option('--status', 'only show applied and pending migrations', false)
    .action(async (options: { status: boolean }) => {
      if (options.status) {
        const status = await withDatabase(ctx, ({ db }) => getMigrationStatus(db), { migrate: false });
        const human = [
          `applied: ${status.applied.join(', ') || '(none)'}`,
          `pending: ${status.pending.join(', ') || '(none)'}`,
          status.current ? 'The schema is up to date.' : 'Run `kiki-server migrate` to apply the pending ones.',
        ].join('\n');
        emit(ctx.io, ctx.json(), human, status);
        return;
      }
      const result = await withDatabase(
        ctx,
        async ({ db }) => {
          const newlyApplied = appliedMigrations((await runMigrations(db)).results);
          return { newlyApplied, ...(await getMigrationStatus(db)) };
        },
        { migrate: false },
      );
      const human =
        result.newlyApplied.length === 0
          ? `Already up to date (latest ${result.latest}).`
          : `Applied ${result.newlyApplied.join(', ')}; now at ${result.latest}.`;
      emit(ctx.io, ctx.json(), human, {
        applied: result.newlyApplied,
        latest: result.latest,
        current: result.current,
      });
    });
}
