import { rpcContract } from '../contract/rpc-contract';
import type { RpcHandlers } from '../contract/rpc-handlers';
import { describeZodError, isAppError } from '../errors';
import { fail, ok, type Result } from '../result';

/** Structural logger (pino's `error(obj, msg)` shape) so shared code never imports a logging library. */
export interface RpcLogger {
  error: (detail: object, message: string) => void;
}

/** Runs one RPC call by name; never throws, always resolves to a result envelope. */
export type RpcDispatch = (method: string, params: unknown) => Promise<Result<unknown>>;

const consoleLogger: RpcLogger = {
  error: (detail, message) => console.error(message, detail),
};

type AnyHandler = (input: unknown) => unknown;

/**
 * Validates every call against the contract on the way in AND out: bad input is the caller's fault
 * (VALIDATION_FAILED), a result that does not match its schema is a bug in core (INTERNAL). Anything a
 * handler throws that is not an AppError is logged here and reported without detail, so stack traces and
 * SQL never reach the renderer.
 */
export function createRpcDispatcher(handlers: RpcHandlers, logger: RpcLogger = consoleLogger): RpcDispatch {
  return async (method, params) => {
    // Own-property check: `toString` or `__proto__` must not resolve to something callable.
    if (!Object.hasOwn(rpcContract, method) || !Object.hasOwn(handlers, method)) {
      return fail({
        code: 'NOT_FOUND',
        message: `Unknown RPC method "${method}". Check the method name against the shared RPC contract.`,
      });
    }
    const name = method as keyof typeof rpcContract;
    const definition = rpcContract[name];
    const input = definition.input.safeParse(params);
    if (!input.success) {
      return fail({
        code: 'VALIDATION_FAILED',
        message: `Invalid input for ${method}: ${describeZodError(input.error)}`,
        details: {
          issues: input.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
        },
      });
    }

    let value: unknown;
    try {
      value = await (handlers[name] as AnyHandler)(input.data);
    } catch (error) {
      if (isAppError(error)) return fail(error.toJSON());
      logger.error({ method, err: error }, 'RPC handler failed');
      return fail({
        code: 'INTERNAL',
        message: `Something went wrong while running ${method}. Try again; if it keeps happening, restart KIKI Desktop and report it.`,
      });
    }

    const output = definition.output.safeParse(value);
    if (!output.success) {
      logger.error({ method, issues: output.error.issues }, 'RPC handler returned a result that breaks the contract');
      return fail({
        code: 'INTERNAL',
        message: `KIKI core returned an unexpected result for ${method}. This is a bug; please report it.`,
      });
    }
    return ok(output.data);
  };
}
