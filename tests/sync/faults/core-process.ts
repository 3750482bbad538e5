import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { RpcHandlers } from '@kiki/shared/contract/rpc-handlers';

type Input<M extends keyof RpcHandlers> = Parameters<RpcHandlers[M]>[0];
type Output<M extends keyof RpcHandlers> = Awaited<ReturnType<RpcHandlers[M]>>;

/** A desktop core running in core-child.ts: RPC calls over IPC, a network switch, and `kill -9`. */
export interface CoreProcess {
  call<M extends keyof RpcHandlers>(method: M, input: Input<M>): Promise<Output<M>>;
  setOffline(offline: boolean): Promise<void>;
  /** SIGKILL: no shutdown code runs, SQLite is left as the last committed transaction left it. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

interface Reply {
  id?: number;
  ok?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  ready?: boolean;
}

export async function startCoreProcess(dataDir: string, vaultFile: string): Promise<CoreProcess> {
  const child: ChildProcess = fork(path.join(import.meta.dirname, 'core-child.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, KIKI_CHILD_DATA_DIR: dataDir, KIKI_CHILD_VAULT_FILE: vaultFile },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited = false;
  child.on('message', (message: Reply) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok === true) waiter?.resolve(message.value);
    else waiter?.reject(Object.assign(new Error(message.error?.message ?? 'failed'), { code: message.error?.code }));
  });
  child.once('exit', () => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error('the core process exited'));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('the core process did not start within 60 s')), 60_000);
    child.on('message', (message: Reply) => {
      if (message.ready === true) {
        clearTimeout(timeout);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`the core process exited with ${code ?? '?'} before it was ready`));
    });
  });

  function request(message: object): Promise<unknown> {
    if (exited) return Promise.reject(new Error('the core process is not running'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, ...message });
    });
  }

  const exit = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });

  return {
    call: (method, input) => request({ method, input }) as Promise<never>,
    setOffline: async (offline) => {
      await request({ offline });
    },
    kill9: () => exit('SIGKILL'),
    stop: () => exit('SIGTERM'),
  };
}
