/**
 * Keeps the embedded FerretDB running: when its process exits unexpectedly (crash, OOM
 * kill), it is started again on the same port and data, after 0.5, 1, 2, 4, 8… s, so the
 * driver's connection pool reconnects by itself. After `maxRestarts` failed starts in a row
 * it gives up and says so, and the service exits non-zero for its own supervisor (systemd,
 * Docker) to restart the whole thing.
 */
import { startEmbeddedFerretDb, type EmbeddedFerretDb } from './embedded-ferretdb.js';

export interface SupervisorEvents {
  onDown(reason: string): void;
  onUp(): void;
  onGiveUp(error: Error): void;
}

export interface SupervisedFerretDb {
  uri: string;
  port: number;
  /** The current server process (changes after a restart). */
  pid(): number;
  stop(): Promise<void>;
}

export async function startSupervisedFerretDb(options: { dataDir: string; maxRestarts: number }, events: SupervisorEvents): Promise<SupervisedFerretDb> {
  let current: EmbeddedFerretDb = await startEmbeddedFerretDb({ dataDir: options.dataDir });
  const { port } = current;
  let stopping = false;

  const watch = (server: EmbeddedFerretDb): void => {
    void server.exited.then(async (code) => {
      if (stopping) return;
      events.onDown(`the embedded FerretDB exited (code ${code})`);
      for (let attempt = 1; attempt <= options.maxRestarts && !stopping; attempt++) {
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** (attempt - 1), 10_000)));
        if (stopping) return;
        try {
          current = await startEmbeddedFerretDb({ dataDir: options.dataDir, port });
          watch(current);
          events.onUp();
          return;
        } catch {
          // next attempt after a longer wait
        }
      }
      if (!stopping) events.onGiveUp(new Error(`the embedded FerretDB could not be restarted after ${options.maxRestarts} attempts`));
    });
  };
  watch(current);

  return {
    uri: current.uri,
    port,
    pid: () => current.pid,
    async stop() {
      stopping = true;
      await current.stop();
    },
  };
}
