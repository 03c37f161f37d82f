/**
 * A plain static file server, the way a project-page host serves a site: the files of one
 * directory under a sub-path (e.g. /repo/), index.html for a directory, a redirect from
 * /repo to /repo/, and no headers beyond Content-Type: no COOP/COEP (so the page is not
 * cross-origin isolated) and no Content-Security-Policy (the build's <meta> carries it).
 * It records every request path, so a test can check nothing was fetched from outside
 * the sub-path.
 */
import { readFile, stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticHost {
  /** The site's address, ending in the sub-path, e.g. http://127.0.0.1:4321/repo/. */
  url: string;
  /** Every path requested, in order. */
  requests: string[];
  /** Requested paths that got a 404. */
  notFound: string[];
  stop(): Promise<void>;
}

/** Serves `root` under `subPath` (starting and ending with '/') on a free local port. */
export async function serveStatic(root: string, subPath: string): Promise<StaticHost> {
  const rootDir = resolve(root);
  const requests: string[] = [];
  const notFound: string[] = [];
  const fail = (response: ServerResponse, path: string): void => {
    notFound.push(path);
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`${path} not found`);
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://host').pathname;
    requests.push(path);
    if (`${path}/` === subPath) {
      response.writeHead(301, { Location: subPath }).end();
      return;
    }
    if (!path.startsWith(subPath)) return fail(response, path);
    let file = resolve(rootDir, decodeURIComponent(path.slice(subPath.length)));
    if (file !== rootDir && !file.startsWith(rootDir + sep)) return fail(response, path);
    void (async () => {
      try {
        if ((await stat(file)).isDirectory()) {
          if (!path.endsWith('/')) {
            response.writeHead(301, { Location: `${path}/` }).end();
            return;
          }
          file = join(file, 'index.html');
        }
        const body = await readFile(file);
        response.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        fail(response, path);
      }
    })();
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${subPath}`,
    requests,
    notFound,
    stop: () =>
      new Promise<void>((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}
