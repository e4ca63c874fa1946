/**
 * Writes every collection of the database to one gzip'd file of EJSON lines
 * (see scripts/lib/backup.ts). Safe while the service runs: it connects to the running
 * service's embedded FerretDB (or MONGODB_URI), as `npm run token` does.
 *   npm run backup -- backups/gate-duty-2021-12-15.jsonl.gz
 */
import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { BackupError, backupDatabase } from './lib/backup.js';

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
if (positionals.length !== 1) {
  console.error('usage: npm run backup -- FILE          (e.g. backups/gate-duty.jsonl.gz)');
  process.exit(2);
}
const file = positionals[0]!;

const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env });
const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: config.DATA_DIR, reuseRunning: true });
try {
  mkdirSync(dirname(file), { recursive: true });
  const summary = await backupDatabase(db.connection, file, { log: (line) => console.error(line) });
  const per = Object.entries(summary.counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  console.log(
    `backed up ${summary.documents} documents of database "${summary.database}" (${db.describe}) in ${summary.ms} ms${summary.attempts > 1 ? ` (${summary.attempts} attempts)` : ''}`,
  );
  console.log(`  ${per}`);
  console.log(`  ${file}: ${(summary.bytes / 1024 / 1024).toFixed(2)} MB`);
} catch (error) {
  console.error(error instanceof BackupError ? `backup failed: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
