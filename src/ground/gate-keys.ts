/**
 * A gate's check-in secret: the QR code on its poster and duty sheet opens `/gate/<secret>`.
 * The secret alone shows only the gate's name (checking in also needs the person's own
 * link), and it has to be printed again and again, so it is kept in clear.
 *
 * Two documents per gate, because FerretDB finds documents quickly only by `_id`:
 * `gate:<gateId>` holds the secret and is inserted once (the insert of a unique `_id` is the
 * one atomic write, so two printers at once still get one secret), and `key:<hash>` finds
 * the gate from a scanned secret. The secret is handed out only after its `key:` document
 * exists, so a crash between the two inserts leaves nothing printed that does not work.
 */
import type { Models } from '../db/models.js';
import { hashSecret, newSecret } from '../auth/tokens.js';

export interface GateKey {
  gateId: string;
  secret: string;
  /** No-shows are counted at this gate's shifts that start from here on. */
  issuedAt: Date;
}

/** The gate's secret, issued now if it has none yet. */
export async function gateKeyOf(models: Models, gateId: string, now: Date): Promise<GateKey> {
  let doc = await models.GateKey.findOne({ _id: `gate:${gateId}` }).lean<{ secret: string; issuedAt: Date }>();
  if (!doc) {
    await insertOnce(models, { _id: `gate:${gateId}`, gateId, secret: newSecret('g'), issuedAt: now });
    doc = await models.GateKey.findOne({ _id: `gate:${gateId}` }).lean<{ secret: string; issuedAt: Date }>();
    if (!doc) throw new Error(`gate key of ${gateId} vanished`);
  }
  await insertOnce(models, { _id: `key:${hashSecret(doc.secret)}`, gateId });
  return { gateId, secret: doc.secret, issuedAt: new Date(doc.issuedAt) };
}

/** The gate a scanned secret belongs to, or null. */
export async function gateOfSecret(models: Models, secret: string): Promise<string | null> {
  const doc = await models.GateKey.findOne({ _id: `key:${hashSecret(secret)}` }).lean<{ gateId: string }>();
  return doc?.gateId ?? null;
}

/** When each gate's code was issued, for the gates that have one. */
export async function trackedSince(models: Models, gateIds: readonly string[]): Promise<Map<string, Date>> {
  if (!gateIds.length) return new Map();
  const docs = await models.GateKey.find({ _id: { $in: gateIds.map((id) => `gate:${id}`) } }, { gateId: 1, issuedAt: 1 }).lean<
    { gateId: string; issuedAt: Date }[]
  >();
  return new Map(docs.map((d) => [d.gateId, new Date(d.issuedAt)]));
}

async function insertOnce(models: Models, doc: Record<string, unknown>): Promise<void> {
  try {
    await models.GateKey.create(doc);
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
  }
}
