import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../app-paths.ts';
import { startServer } from '../../server/start-server.ts';
import { printJson, UsageError, type Command } from '../command.ts';

/** The renderer `npm run build:app` builds. */
export const RENDERER_DIR = path.join(PACKAGE_ROOT, 'out', 'renderer');

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the app to a browser on this computer (127.0.0.1 only, with an access token)',
  usage: '[--port N] [--json]',
  help: `Starts a local web server on the same services as the desktop app and prints the address to open,
http://127.0.0.1:PORT/?token=…  Only this computer can connect, and only with the token in that address: treat
it like a password. The pages are the built app (npm run build:app). Ctrl-C (or SIGTERM) stops the server; running imports
and training runs are cancelled (a cancelled run can be resumed).

  --port N   the port (default: a free one)
  --json     print {"url","port","token","catalog"} on one line`,
  options: { port: { type: 'string' } },
  positionals: [0, 0],
  async run(ctx) {
    const raw = ctx.values.port as string | undefined;
    const port = raw === undefined ? 0 : Number(raw);
    if (raw !== undefined && (!/^\d+$/.test(raw) || port > 65535)) throw new UsageError(`--port takes a port number (0-65535), not "${raw}"`);
    const server = await startServer({ catalogPath: ctx.catalogPath, port, host: '127.0.0.1', staticDir: RENDERER_DIR });
    if (ctx.json) printJson(ctx.out, { url: server.url, port: server.port, token: server.token, catalog: ctx.catalogPath });
    else {
      ctx.out.write(
        `Lookalike is serving the catalog ${ctx.catalogPath}\n\n  ${server.url}\n\n` +
          `Open that address in a browser on this computer; the token in it is the key, keep it to yourself.\nCtrl-C stops the server.\n`,
      );
    }
    if (!fs.existsSync(path.join(RENDERER_DIR, 'index.html'))) {
      ctx.err.write(`note: the app is not built (no ${RENDERER_DIR}); run "npm run build:app", then reload the page\n`);
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    ctx.err.write('\nstopping the server…\n');
    await server.close();
    ctx.err.write('stopped\n');
    return 0;
  },
};
