import { z } from 'zod';

/**
 * Control messages from Electron main to the core utility process over `process.parentPort`.
 * RPC itself never travels here: each renderer gets its own MessagePort (sent with `connect`).
 */
export const coreInitMessageSchema = z.object({
  type: z.literal('init'),
  dataDir: z.string().min(1),
  appVersion: z.string().min(1),
  demo: z.boolean().default(false),
});

export const coreConnectMessageSchema = z.object({
  /** Carries one MessagePort in `ports[0]`: the core end of a renderer's RPC channel. */
  type: z.literal('connect'),
});

export const coreControlMessageSchema = z.discriminatedUnion('type', [coreInitMessageSchema, coreConnectMessageSchema]);
export type CoreControlMessage = z.input<typeof coreControlMessageSchema>;

/** What core reports back to main, so main can log a failed start instead of restarting blindly. */
export const coreStatusMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('fatal'), message: z.string() }),
]);
export type CoreStatusMessage = z.infer<typeof coreStatusMessageSchema>;

/** IPC channels between main and the preload (never the page itself). */
export const IPC_CHANNELS = {
  /** preload -> main: "give this page an RPC port" (sent on every page load). */
  requestPort: 'kiki:request-port',
  /** main -> preload: the renderer end of a fresh MessageChannel in `event.ports[0]`. */
  port: 'kiki:port',
  /** main -> preload: core stopped; fail waiting calls now rather than when the new port arrives. */
  coreExited: 'kiki:core-exited',
} as const;
