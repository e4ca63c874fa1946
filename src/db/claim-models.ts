/**
 * Schemas of open-shift claims and the rounds that publish them (src/claims/). Registered
 * with the others in ./models.ts; the same FerretDB rules apply: the only compare-and-set is
 * the insert of a unique `_id`, so a claim's `_id` names the place it takes and the first
 * insert wins; a round is written only by the holder of the lease `claims:<planId>`.
 */
import { Schema } from 'mongoose';

const plain = { id: false, versionKey: false, timestamps: true } as const;

/**
 * One claim of one open place (`_id` = plan, the published version it was offered in, gate,
 * shift start and seat; see src/claims/claim-ids.ts). `pending` until a round publishes it
 * (`published`, with the version) or finds that it no longer fits (`refused`, with why).
 */
export const claimSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true },
    /** The published version the place was offered in. */
    offeredVersion: { type: Number, required: true },
    gateId: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    seat: { type: Number, required: true },
    cadreId: { type: String, required: true },
    village: { type: String, required: true },
    status: { type: String, enum: ['pending', 'published', 'refused'], required: true },
    /** The version that published it. */
    publishedVersion: { type: Number, default: null },
    /** Why it was refused: a stable code and a sentence in Chinese for the person. */
    refusal: { type: Schema.Types.Mixed, default: null },
    decidedAt: { type: Date, default: null },
  },
  { ...plain, minimize: false },
);

/**
 * The claims round of one plan (`_id` = plan id), written only under the lease
 * `claims:<planId>`: which pending claims it took, against which published version, which
 * of them fit, the roster that carries them and how far it got.
 */
export const claimRoundSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    phase: { type: String, enum: ['publishing', 'idle'], required: true },
    baseVersion: { type: Number, default: null },
    rosterId: { type: String, default: null },
    accepted: { type: [String], default: [] },
    refused: { type: Schema.Types.Mixed, default: [] },
    /** Swaps it publishes, and those it found no longer fitting (with why). */
    swaps: { type: [String], default: [] },
    swapsRefused: { type: Schema.Types.Mixed, default: [] },
  },
  { ...plain, minimize: false },
);

/**
 * A person's offer of one of their shifts (src/claims/swaps.ts), `_id` random: offers are
 * not contested. Only its `outcome` changes after it is made, written by the claims round
 * under its lease; who took it and the head's word are steps of their own (below).
 */
export const swapSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true },
    offeredVersion: { type: Number, required: true },
    gateId: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    village: { type: String, required: true },
    fromCadreId: { type: String, required: true },
    /** A named colleague, or null for anyone who could take it. */
    toCadreId: { type: String, default: null },
    /** Null until a round publishes it ({status: 'published', version}) or refuses it ({status: 'refused', refusal}). */
    outcome: { type: Schema.Types.Mixed, default: null },
    decidedAt: { type: Date, default: null },
  },
  { ...plain, minimize: false },
);

/**
 * One step of a swap, `_id` = `<swapId>:taker` or `<swapId>:decision`: the insert of the
 * unique id is the only compare-and-set FerretDB gives, so the first taker (an acceptance,
 * or the offerer's own withdrawal) wins, and a head's first word stands.
 */
export const swapStepSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    swapId: { type: String, required: true },
    kind: { type: String, enum: ['accept', 'withdraw', 'approve', 'decline'], required: true },
    by: { type: String, required: true },
    /** On an acceptance: the taker's own shift the offerer takes in return, or null. */
    inReturn: { type: Schema.Types.Mixed, default: null },
  },
  { ...plain, minimize: false },
);
