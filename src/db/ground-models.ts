/**
 * Schemas of what happens on the ground (src/ground/): gate check-in secrets, check-ins and
 * inspections. Registered with the others in ./models.ts; the same FerretDB rules apply (keys
 * in `_id`, one document per atomic write, an insert of a unique `_id` as the only
 * compare-and-set).
 */
import { Schema } from 'mongoose';

const plain = { id: false, versionKey: false, timestamps: true } as const;

/**
 * A gate's check-in secret, as two kinds of document (see src/ground/gate-keys.ts):
 * `gate:<gateId>` holds the secret (inserted once: whoever inserts first wins) and
 * `key:<sha256 of the secret>` finds the gate from a scanned QR code by `_id`.
 */
export const gateKeySchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    gateId: { type: String, required: true },
    /** Only on `gate:` documents: printed on posters and duty sheets, so kept in clear. */
    secret: { type: String, default: null },
    /** Only on `gate:` documents: no-shows are counted at gate-shifts starting from here on. */
    issuedAt: { type: Date, default: null },
  },
  plain,
);

/**
 * One person at one gate-shift of a plan: `_id` = JSON `[planId, gateId, shift start ms,
 * cadreId]`, so checking in twice is one document (the second insert fails and is read back).
 * Whether it was a walk-in is decided when it is read, against the roster then current.
 */
export const checkInSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true, index: true },
    gateId: { type: String, required: true },
    cadreId: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    checkedInAt: { type: Date, required: true },
    checkedOutAt: { type: Date, default: null },
    /** `gate` (the gate page) or `api`. */
    via: { type: String, required: true },
  },
  plain,
);

/** A squad's spot check at a gate, with its problems embedded (one insert, one document). */
export const inspectionSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    gateId: { type: String, required: true },
    gateName: { type: String, required: true },
    village: { type: String, required: true, index: true },
    town: { type: String, required: true, index: true },
    at: { type: Date, required: true },
    planId: { type: String, default: null },
    staffSeen: { type: Number, required: true },
    staffRostered: { type: Number, default: null },
    staffCheckedIn: { type: Number, default: null },
    namesChecked: { type: [String], default: [] },
    visitorRegistration: { type: Boolean, required: true },
    temperatureChecks: { type: Boolean, required: true },
    /** `[{ category, text, fixedOnSpot, fixedAt, fixedNote, fixedBy }]`, fixed in place by index. */
    problems: { type: Schema.Types.Mixed, default: [] },
    recordedBy: { type: String, required: true },
    squad: { type: String, default: '' },
  },
  { ...plain, minimize: false },
);

/**
 * A day's visit lists for every squad (`_id` = `visits:<date>`), drawn once and kept: drawing
 * again would show a squad a second list. Inserted once; a second drawer's insert fails and it
 * reads the first.
 */
export const visitDaySchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    date: { type: String, required: true },
    plan: { type: Schema.Types.Mixed, required: true },
  },
  { ...plain, minimize: false },
);
