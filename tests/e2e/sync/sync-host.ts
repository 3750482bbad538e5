import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * One app instance for the sync e2e: a web host (core + renderer) on its own data directory, started by the
 * spec rather than by Playwright so it can be killed and started again on the same directory (a core restart).
 */
export class SyncHost {
  private child: ChildProcess | null = null;
  private stderr = '';

  constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly token: string,
    private readonly extraArgs: readonly string[] = [],
  ) {}

  /** The page URL with the host's token; the renderer keeps the token for reloads. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/?token=${this.token}`;
  }

  async start(): Promise<void> {
    if (this.child !== null) throw new Error(`${this.name} is already running`);
    this.stderr = '';
    // node --import tsx, not npx: one process, so killing it kills core too.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'electron/web-host/main.ts',
        '--port',
        String(this.port),
        '--data-dir',
        this.dataDir,
        ...this.extraArgs,
      ],
      { env: { ...process.env, KIKI_WEB_TOKEN: this.token }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not start in 60 s:\n${this.stderr}`)), 60_000);
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (line.includes('ready:')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with ${String(code)} while starting:\n${this.stderr}`));
      });
    });
  }

  /** SIGKILL by default: the core gets no chance to tidy up, as in a crash. */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (child === null) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  }
}
