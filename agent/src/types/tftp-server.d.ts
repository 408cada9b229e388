// Minimal declarations for npm `tftp-server` 1.1.0 (jue89/node-tftp-server).
declare module 'tftp-server' {
  import type { Socket } from 'node:dgram';

  export interface TftpRequestContext {
    filename: string;
    mode: string;
    address: string;
    port: number;
    clientKey: string;
    [key: string]: unknown;
  }
  export type TftpHandler = (
    req: TftpRequestContext,
    respond: (data: unknown) => void,
    next: (err?: Error) => void,
  ) => void;

  /** The per-transfer machine the server runs for each new client address and port. */
  export interface ConnectionFactory {
    run(ctx: Record<string, unknown> & { request: Buffer; clientKey: string; address: string; port: number }, onEnd: () => void): { next(arg: null): void };
  }

  export class TFTPServer {
    constructor(socketType: 'udp4' | 'udp6');
    socket: Socket;
    routes: Array<{ filter?: string | RegExp; handler: TftpHandler } | undefined>;
    connections: Record<string, { next(arg: null): void }>;
    ingress: import('node:events').EventEmitter;
    outgress: import('node:events').EventEmitter;
    connectionFactory: ConnectionFactory;
    bind(options: { port?: number; address?: string }): void;
    register(handler: TftpHandler): number;
    register(filter: string | RegExp, handler: TftpHandler): number;
    unregister(handle: number): void;
    destroy(cb?: () => void): void;
  }
  export function createServer(socketType?: 'udp4' | 'udp6'): TFTPServer;
}
