/**
 * Restores a file written by `npm run backup` into an empty database (the embedded FerretDB
 * of DATA_DIR, or MONGODB_URI). With --force, the database's collections are dropped first.
 *   npm run restore -- backups/gate-duty-2021-12-15.jsonl.gz [--force]
 * Restore with the service stopped (or restart it after): it caches feeds and pointers in memory.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { BackupError, restoreDatabase } from './lib/backup.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
if (positionals.length !== 1) {
  console.error("usage: npm run restore -- FILE [--force]   (--force drops the target database's collections first)");
  process.exit(2);
}
const file = positionals[0]!;
if (!existsSync(file)) {
  console.error(`restore failed: ${file} does not exist`);
  process.exit(1);
}

const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: config.DATA_DIR, reuseRunning: true });
// openDatabase starts its own embedded FerretDB only when no service is using DATA_DIR.
const serviceRunning = !config.MONGODB_URI && !db.describe.startsWith('embedded FerretDB');
try {
  const summary = await restoreDatabase(db.connection, file, { force: values.force, log: (line) => console.error(`  ${line}`) });
  const per = Object.entries(summary.counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(
    `restored ${summary.documents} documents into database "${summary.database}" (${db.describe}) in ${summary.ms} ms, ` +
      `from a backup of "${summary.sourceDatabase}" taken ${summary.createdAt.toISOString()}`,
  );
  console.log(`  ${per}`);
  if (serviceRunning || config.MONGODB_URI) console.log('  restart the service if it is running: it keeps feeds and pointers cached in memory');
} catch (error) {
  console.error(error instanceof BackupError ? `restore failed: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
