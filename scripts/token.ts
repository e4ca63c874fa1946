/**
 * Issues an API token and prints it as the last line (shown once; only its hash is stored).
 *   npm run token -- --role planner [--label text]
 *   npm run token -- --role village_head --villages 俞范村,清水浦村 [--person C0007]   (the head's own entry: people see its phone)
 *   npm run token -- --role cadre --cadre C0001
 *   npm run token -- --role inspector --towns 蛟川街道 --label 第3督查组   (no --towns: the whole district)
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { wireModels } from '../src/wiring.js';
import { issueToken } from '../src/auth/tokens.js';
import { tokenRequestSchema } from '../src/http/routes/tokens.routes.js';
import { AppError } from '../src/errors.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    villages: { type: 'string' },
    cadre: { type: 'string' },
    person: { type: 'string' },
    towns: { type: 'string' },
    label: { type: 'string' },
  },
});
const parsed = tokenRequestSchema.safeParse({
  role: values.role,
  villages: values.villages
    ?.split(/[,，;；、]/)
    .map((v) => v.trim())
    .filter(Boolean),
  cadreId: values.cadre,
  personId: values.person,
  towns: values.towns
    ?.split(/[,，;；、]/)
    .map((v) => v.trim())
    .filter(Boolean),
  label: values.label,
});
if (!parsed.success) {
  console.error('usage: npm run token -- --role planner|village_head|cadre|inspector [--villages a,b] [--cadre ID] [--person ID] [--towns a,b] [--label text]');
  process.exit(2);
}

const config = loadConfig();
const db = await openDatabase({ uri: config.MONGODB_URI, dataDir: config.DATA_DIR, reuseRunning: true });
try {
  const issued = await issueToken(wireModels(db.connection), parsed.data);
  console.log(`token id ${issued.tokenId} (${issued.principal.role}); revoke with DELETE /api/v1/tokens/${issued.tokenId}`);
  console.log(issued.token);
} catch (error) {
  console.error(error instanceof AppError ? `error: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await db.close();
}
