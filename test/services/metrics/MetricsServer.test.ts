import {request as httpRequest} from 'node:http';
import {connect, createServer, type Server} from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import {afterEach, describe, expect, it} from 'vitest';
import {UserFacingError} from '../../../source/services/errors.js';
import {MetricsServer, type Readiness} from '../../../source/services/metrics/MetricsServer.js';
import {ServeMetrics} from '../../../source/services/metrics/ServeMetrics.js';

const servers: MetricsServer[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(blockers.splice(0).map((b) => new Promise((resolve) => b.close(resolve))));
});

async function started(
  options: {
    readiness?: () => Readiness;
    metrics?: ServeMetrics;
    errors?: string[];
  } = {},
) {
  const metrics =
    options.metrics ?? new ServeMetrics({group: 'g', requestsTopic: 'r', processMetrics: false});
  const server = new MetricsServer({
    metrics,
    host: '127.0.0.1',
    port: 0,
    readiness: options.readiness ?? (() => ({ready: true, reason: 'serving v1'})),
    onError: (message) => options.errors?.push(message),
  });
  servers.push(server);
  const {url} = await server.listen();
  return {server, metrics, url};
}

/** Exactly these bytes on a fresh connection; resolves with all the server wrote back. */
function raw(url: string, bytes: string): Promise<string> {
  const {hostname, port} = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** A port something else already listens on. */
async function busyPort(): Promise<number> {
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as {port: number}).port;
}

async function listenError(host: string, port: number): Promise<UserFacingError> {
  const metrics = new ServeMetrics({group: 'g', requestsTopic: 'r', processMetrics: false});
  const server = new MetricsServer({
    metrics,
    host,
    port,
    readiness: () => ({ready: true, reason: ''}),
  });
  servers.push(server);
  const error: unknown = await server.listen().then(
    () => new Error('listen() resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserFacingError);
  expect((error as Error).message).not.toContain('\n');
  return error as UserFacingError;
}

describe('MetricsServer', () => {
  it('serves the Prometheus exposition on GET /metrics, on any free port with port 0', async () => {
    const {metrics, url} = await started();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toMatch(/:0$/);
    metrics.setServing('v7');
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(metrics.contentType);
    const families = parsePrometheusTextFormat(await response.text());
    const info = families.find((f) => f.name === 'wine_tui_serve_model_info');
    expect(info?.metrics).toEqual([{value: '1', labels: {group: 'g', version: 'v7'}}]);
    // A query string (some scrapers add one) does not change the route.
    expect((await fetch(`${url}/metrics?name[]=x`)).status).toBe(200);
  });

  it('answers /healthz with 200 "ok", and /readyz with 503 and the reason until ready', async () => {
    let state: Readiness = {ready: false, reason: 'no model is loaded yet'};
    const {url} = await started({readiness: () => state});
    const health = await fetch(`${url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const notReady = await fetch(`${url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'no model is loaded yet\n']);
    expect(notReady.headers.get('cache-control')).toBe('no-store');
    state = {ready: true, reason: 'serving v1'};
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('answers 404 elsewhere, 405 to other methods than GET, and HEAD without a body', async () => {
    const {url} = await started();
    for (const path of ['/', '/metrics/', '/favicon.ico', '/healthz/../x']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${url}/metrics`, {method, body: 'x'});
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD');
    }
    const head = await fetch(`${url}/healthz`, {method: 'HEAD'});
    expect([head.status, await head.text()]).toEqual([200, '']);
  });

  it('answers 500 when the figures or the readiness fail, says why, and keeps serving', async () => {
    const errors: string[] = [];
    const metrics = new ServeMetrics({group: 'g', requestsTopic: 'r', processMetrics: false});
    metrics.exposition = () => Promise.reject(new Error('collector broke'));
    const {url} = await started({
      metrics,
      errors,
      readiness: () => {
        throw new Error('holder gone');
      },
    });
    expect((await fetch(`${url}/metrics`)).status).toBe(500);
    expect((await fetch(`${url}/readyz`)).status).toBe(500);
    expect(errors).toEqual([
      'metrics: /metrics failed: collector broke',
      'metrics: /readyz failed: holder gone',
    ]);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('survives malformed HTTP, oversized headers and clients that hang up midway', async () => {
    const {url} = await started();
    expect(await raw(url, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await raw(url, 'GET /metrics HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400/,
    );
    const huge = `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
    expect(await raw(url, huge)).toMatch(/^HTTP\/1\.1 431/);
    // Half a request, then gone; and a request whose answer nobody reads.
    const {hostname, port} = new URL(url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write('GET /metr');
        socket.destroy();
        resolve();
      });
    });
    await new Promise<void>((resolve) => {
      const request = httpRequest(`${url}/metrics`, () => {
        request.destroy();
        resolve();
      });
      request.on('error', () => resolve());
      request.end();
    });
    const after = await Promise.all(Array.from({length: 20}, () => fetch(`${url}/metrics`)));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(200));
  });

  it('closes with keep-alive connections open, and can be closed twice', async () => {
    const {server, url} = await started();
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const closedAt = Date.now();
    await server.close();
    await server.close();
    expect(Date.now() - closedAt).toBeLessThan(2_000);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    socket.destroy();
  });

  it('rejects a port in use with one line naming the address and the flag', async () => {
    const port = await busyPort();
    const error = await listenError('127.0.0.1', port);
    expect(error.message).toBe(
      `metrics: 127.0.0.1:${port} is already in use: choose another --metrics-port`,
    );
  });

  it('rejects a host that is not this machine, and a bad port', async () => {
    // 203.0.113.0/24 is reserved for documentation: no machine has it.
    expect((await listenError('203.0.113.7', 0)).message).toBe(
      'metrics: 203.0.113.7 is not an address of this machine: choose another --metrics-host',
    );
    expect((await listenError('127.0.0.1', 70_000)).message).toBe(
      'metrics: --metrics-port must be a whole number from 0 to 65535 (got 70000)',
    );
  });
});
