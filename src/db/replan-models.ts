/**
 * Schemas of absences as reported and accepted, and of the automatic re-plan that follows
 * (src/replan/). Registered with the others in ./models.ts; the same FerretDB rules apply
 * (keys in `_id`, one document per atomic write, an insert of a unique `_id` as the only
 * compare-and-set; single-document updates only by the holder of the matching lease).
 */
import { Schema } from 'mongoose';

const plain = { id: false, versionKey: false, timestamps: true } as const;

/**
 * One absence as someone reported it (`_id` = the absence id: person and span, see
 * src/directory/absences.ts). While `status` is `reported` it is not yet an unavailable
 * window; once `accepted` the window is written and `replan` says whether the published
 * rosters it touches have been re-planned. Written before the window, so a crash in between
 * leaves a pending re-plan that start-up recovery and the re-plan worker finish.
 */
export const absenceReportSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    cadreId: { type: String, required: true },
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    reason: { type: String, default: '' },
    /** Who entered it: the person (`self`, from /me), a planner or a village head. */
    source: { type: String, enum: ['self', 'planner', 'village_head'], required: true },
    status: { type: String, enum: ['reported', 'accepted'], required: true },
    acceptedAt: { type: Date, default: null },
    /** Token id of whoever accepted it (null: accepted at once by policy, or entered by a planner or head). */
    acceptedBy: { type: String, default: null },
    /** `none` while reported; `pending` until every published roster it touches was re-planned. */
    replan: { type: String, enum: ['none', 'pending', 'done', 'failed'], required: true },
    /** One entry per plan re-planned for it: the version published at once and the draft left for the planner. */
    replanResults: { type: Schema.Types.Mixed, default: [] },
    replanError: { type: String, default: null },
  },
  { ...plain, minimize: false },
);

/**
 * The re-plan round of one plan (`_id` = plan id), written only under the lease
 * `replan:<planId>` (src/replan/replan-protocol.ts): which solve re-plans which absences
 * against which published version, and how far it got; after a round, the draft it left.
 */
export const replanSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    phase: { type: String, enum: ['solving', 'publishing', 'idle'], required: true },
    solveId: { type: String, default: null },
    /** The published version the re-plan started from; if another is published meanwhile, the round starts again. */
    baseVersion: { type: Number, default: null },
    absenceIds: { type: [String], default: [] },
    /** The roster published at once (the solve's own, or the part of it within the policy's hours). */
    publishId: { type: String, default: null },
    /** The whole re-plan, when part of it waits for the planner. */
    draftSolveId: { type: String, default: null },
    /** The version that was current when the round ended (the draft is shown while it still is). */
    endedAtVersion: { type: Number, default: null },
    note: { type: String, default: null },
    /** Failed re-plan solves in a row (the absences are marked failed after a few). */
    failures: { type: Number, default: 0 },
    /** Shifts starting before this are kept as published by the round's solve and its split. */
    keepBefore: { type: Date, default: null },
  },
  { ...plain, minimize: false },
);
