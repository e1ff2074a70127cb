import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {Socket} from 'node:net';
import {UserFacingError} from '../errors.js';
import type {ServeMetrics} from './ServeMetrics.js';

/**
 * The HTTP side of `wine-tui serve --metrics-port`: /metrics (Prometheus text format), /healthz
 * (the process is alive) and /readyz (a model is loaded and the consumer has joined its group).
 * Whatever a client sends, serve keeps running: every handler answers or fails on its own
 * connection, and the server's own errors after start-up are reported, never thrown.
 */

export interface Readiness {
  ready: boolean;
  /** Why not ready, for the 503's body (e.g. "no model loaded yet"). */
  reason: string;
}

export interface MetricsServerOptions {
  metrics: ServeMetrics;
  host: string;
  port: number;
  readiness: () => Readiness;
  /** Errors after start-up (a failed scrape, the socket failing); default: ignored. */
  onError?: (message: string) => void;
}

const TEXT = 'text/plain; charset=utf-8';
/** A scrape or probe is one short GET: a client slower than this is stuck or hostile. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Prometheus and one or two probes need a few; a flood must not exhaust file descriptors. */
const MAX_CONNECTIONS = 64;
const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export class MetricsServer {
  private readonly options: MetricsServerOptions;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private listening = false;

  constructor(options: MetricsServerOptions) {
    this.options = options;
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.requestTimeout = REQUEST_TIMEOUT_MS;
    this.server.headersTimeout = REQUEST_TIMEOUT_MS;
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      // A reset by the peer must not become an uncaught 'error' event.
      socket.on('error', () => {});
    });
    // Malformed, oversized or too slow: answer where the socket still can, then drop it.
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.writable && error.code !== 'ECONNRESET') {
        const status = CLIENT_ERROR_STATUS[error.code ?? ''] ?? '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      socket.destroy();
    });
  }

  /** Starts listening; port 0 takes any free port. Resolves with the base URL. */
  listen(): Promise<{url: string}> {
    const {host, port} = this.options;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, host, port));
      this.server.once('error', onError);
      try {
        this.server.listen({host, port}, () => {
          this.server.off('error', onError);
          this.listening = true;
          // From now on errors are the running server's: report them, never crash serve.
          this.server.on('error', (error) => this.report(`metrics: ${error.message}`));
          resolve({url: urlOf(this.server, host)});
        });
      } catch (error) {
        // A port out of range throws at once rather than emitting 'error'.
        this.server.off('error', onError);
        reject(listenError(error as NodeJS.ErrnoException, host, port));
      }
    });
  }

  /** Stops listening and ends open connections (keep-alive ones would hold the close). */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    // A GET has no body worth reading; drain whatever came so the connection can be reused.
    request.resume();
    request.on('error', () => {});
    response.on('error', () => {});
    this.route(request, response).catch((error: unknown) => {
      this.report(`metrics: ${request.url ?? '?'} failed: ${(error as Error).message}`);
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.destroy();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = pathOf(request.url);
    const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
    if (!known) return send(response, 404, 'not found: try /metrics, /healthz or /readyz\n');
    // HEAD is a GET without the body (Node leaves the body out): probes may use either.
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'method not allowed: use GET\n');
    }
    if (path === '/healthz') return send(response, 200, 'ok\n');
    if (path === '/readyz') {
      const {ready, reason} = this.options.readiness();
      return ready ? send(response, 200, 'ready\n') : send(response, 503, `${reason}\n`);
    }
    const body = await this.options.metrics.exposition();
    send(response, 200, body, this.options.metrics.contentType);
  }

  private report(message: string): void {
    try {
      this.options.onError?.(message);
    } catch {
      // The reporter failing must not take the server down either.
    }
  }
}

function send(response: ServerResponse, status: number, body: string, type = TEXT): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    // Probes and scrapes want the state now, never a cached one.
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

/** The path of a request target, without its query; null when it cannot be parsed. */
function pathOf(target: string | undefined): string | null {
  if (!target) return null;
  try {
    return new URL(target, 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function urlOf(server: Server, host: string): string {
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** One line saying what went wrong and which flag fixes it. */
function listenError(error: NodeJS.ErrnoException, host: string, port: number): UserFacingError {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new UserFacingError(
        `metrics: ${where} is already in use: choose another --metrics-port`,
      );
    case 'EACCES':
      return new UserFacingError(
        `metrics: no permission to listen on ${where} (ports below 1024 need privileges): choose another --metrics-port`,
      );
    case 'EADDRNOTAVAIL':
      return new UserFacingError(
        `metrics: ${host} is not an address of this machine: choose another --metrics-host`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UserFacingError(
        `metrics: cannot resolve --metrics-host ${host}: give an address such as 127.0.0.1`,
      );
    case 'ERR_SOCKET_BAD_PORT':
      return new UserFacingError(
        `metrics: --metrics-port must be a whole number from 0 to 65535 (got ${port})`,
      );
    default:
      return new UserFacingError(
        `metrics: cannot listen on ${where}: ${error.message.split('\n')[0]}`,
      );
  }
}
