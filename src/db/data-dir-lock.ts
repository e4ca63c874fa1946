/**
 * One process per data folder (the service, or a tool such as restore that opens the files
 * itself): two embedded FerretDB servers on the same SQLite files would
 * corrupt each other. The first service writes its pid to `<DATA_DIR>/service.pid` with an
 * exclusive create; a second one finds a live pid there and is refused with one line. A
 * pid file left by a process that died (kill -9, power loss) is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive } from './process-alive.js';

export class DataDirInUseError extends Error {}

export function lockDataDir(dataDir: string): { release: () => void } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'service.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (holder > 0 && holder !== process.pid && isProcessAlive(holder)) {
      throw new DataDirInUseError(
        `another gate-duty service or tool (pid ${holder}) is already using the data folder ${resolve(dataDir)}; stop it first, or set DATA_DIR or MONGODB_URI for this one`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new DataDirInUseError(`could not lock the data folder ${resolve(dataDir)}`);
}
