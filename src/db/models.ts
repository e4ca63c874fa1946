/**
 * Mongoose schemas. Every collection keeps to what both MongoDB 6+ and FerretDB 1.24 support:
 * unique and compound indexes on top-level fields, no transactions. Writes that must be
 * atomic are kept to one document (e.g. a cadre's availability is one document).
 *
 * Each keyed document stores its key in `_id` as well as in its readable field (`id`,
 * `cadreId`, `hash`): FerretDB's SQLite backend pushes only `_id` filters down to SQLite and
 * scans the collection for anything else, so every lookup by key goes through `_id`.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { AVAILABILITY_KINDS, ROLES, type AvailabilityKind, type Cadre, type Gate } from '../domain/types.js';
import { checkInSchema, gateKeySchema, inspectionSchema, visitDaySchema } from './ground-models.js';
import { absenceReportSchema, replanSchema } from './replan-models.js';
import { claimRoundSchema, claimSchema, swapSchema, swapStepSchema } from './claim-models.js';

const plain = { id: false, versionKey: false, timestamps: true } as const;

export const gateSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    id: { type: String, required: true },
    name: { type: String, required: true },
    village: { type: String, required: true, index: true },
    town: { type: String, required: true, index: true },
    staffPerShift: { type: Number, required: true },
    coverFrom: { type: String, required: true },
    coverTo: { type: String, required: true },
    activeFrom: { type: String, default: null },
    activeTo: { type: String, default: null },
    leadRequired: { type: Boolean, required: true },
  },
  plain,
);

export const cadreSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    id: { type: String, required: true },
    name: { type: String, required: true },
    phone: { type: String, default: null },
    role: { type: String, enum: ROLES, required: true, index: true },
    village: { type: String, required: true, index: true },
    serves: { type: [String], default: [] },
    maxHoursWeek: { type: Number, default: null },
    nightOk: { type: Boolean, required: true },
  },
  plain,
);

const windowSchema = new Schema<any>(
  { start: { type: Date, required: true }, end: { type: Date, required: true }, kind: { type: String, enum: AVAILABILITY_KINDS, required: true } },
  { _id: false },
);

/** All availability windows of one cadre in one document, replaced as a whole. */
export const availabilitySchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    cadreId: { type: String, required: true },
    windows: { type: [windowSchema], default: [] },
  },
  plain,
);

/** API bearer tokens; only the SHA-256 of the secret is stored. */
export const apiTokenSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    tokenId: { type: String, required: true, unique: true },
    hash: { type: String, required: true },
    role: { type: String, enum: ['planner', 'village_head', 'cadre', 'inspector'], required: true },
    villages: { type: [String], default: [] },
    /** Inspector tokens: the towns the squad inspects; empty = the whole district. */
    towns: { type: [String], default: [] },
    cadreId: { type: String, default: null },
    /** Village-head tokens: the head's own entry in the people list (their phone is shown to people who must call). */
    personId: { type: String, default: null },
    label: { type: String, default: '' },
    revokedAt: { type: Date, default: null },
  },
  plain,
);

/**
 * A plan with its pins. `publishedVersion` is a cache of the live state (see
 * src/roster/live-state.ts); the plan's running solve is its ActiveSolve document.
 */
export const planSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    spec: { type: Schema.Types.Mixed, required: true },
    pins: { type: [new Schema<any>({ cadreId: String, gateId: String, start: Date }, { _id: false })], default: [] },
    publishedVersion: { type: Number, default: null },
    /** The plan's first day when created: a roll moves `spec.start`, weekly blocks stay where they were (outside a campaign). */
    origin: { type: String, default: null },
  },
  plain,
);

/** A campaign (src/domain/campaign.ts); plans name it in `spec.campaignId`. */
export const campaignSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    spec: { type: Schema.Types.Mixed, required: true },
  },
  plain,
);

/** A plan's roll in progress or the last one (`_id` = plan id), written only under the lease `roll:<planId>` (src/roster/roll-protocol.ts). */
export const rollSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    phase: { type: String, enum: ['solving', 'publishing', 'idle'], required: true },
    solveId: { type: String, default: null },
    baseVersion: { type: Number, default: null },
    from: { type: Schema.Types.Mixed, default: null },
    to: { type: Schema.Types.Mixed, default: null },
    freezeUntil: { type: Date, default: null },
    publish: { type: String, default: 'publish' },
    requestedBy: { type: String, default: null },
    result: { type: Schema.Types.Mixed, default: null },
    /** Solves this round started again because another version was published meanwhile. */
    resolves: { type: Number, default: 0 },
    /** The local date of the last daily roll (`rollPolicy`), so a plan rolls once a day. */
    dailyOn: { type: String, default: null },
  },
  { ...plain, minimize: false },
);

/** A solve job, claimed atomically by a worker. */
export const solveSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true, index: true },
    status: { type: String, enum: ['queued', 'running', 'done', 'failed'], required: true, index: true },
    progress: { type: Schema.Types.Mixed, default: { phase: 'queued', fraction: 0 } },
    requestedBy: { type: String, default: null },
    workerId: { type: String, default: null },
    /** How many times a worker has taken this job (a takeover after a crash adds one). */
    attempt: { type: Number, default: 0 },
    /** The worker of each attempt, in order. */
    workers: { type: [String], default: [] },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    error: { type: String, default: null },
    outcome: { type: String, default: null },
    metrics: { type: Schema.Types.Mixed, default: null },
    snapshot: { type: Schema.Types.Mixed, default: null },
    timings: { type: Schema.Types.Mixed, default: null },
    options: { type: Schema.Types.Mixed, default: {} },
  },
  plain,
);

/**
 * The immutable result of a solve (a draft until a plan publishes it). `_id` = solve id.
 * `payload` is the packed StoredRoster body (see packed-json.ts).
 */
export const rosterSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true },
    timezone: { type: String, required: true },
    payload: { type: Buffer, required: true },
  },
  plain,
);

/** A published version of a plan. `_id` = `planId:version`, so a version number is taken once. */
export const publicationSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true, index: true },
    version: { type: Number, required: true },
    solveId: { type: String, required: true },
    publishedAt: { type: Date, required: true },
    publishedBy: { type: String, required: true },
  },
  plain,
);

/** Calendar feed secrets (hash in `_id`): a person's own feed or a village head's village feed. */
export const feedTokenSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['cadre', 'village'], required: true },
    subject: { type: String, required: true, index: true },
    revokedAt: { type: Date, default: null },
  },
  plain,
);

/**
 * A rendered feed. Feeds are written in generations (`_id` = `<gen>|cadre:<id>` or
 * `<gen>|village:<name>`) by insertMany, and `meta.feeds.gen` points at the live one: FerretDB
 * inserts in bulk quickly but scans the collection on every single-document update.
 */
export const feedSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    gen: { type: Number, required: true },
    ics: { type: String, required: true },
    etag: { type: String, required: true },
    lastModified: { type: Date, required: true },
    /** JSON of the per-event states (uid, sequence, fingerprint, created, lastModified). */
    states: { type: String, required: true },
  },
  { ...plain, timestamps: false },
);

/** Small counters; `directory.revId` is the last directory write (see directory/write-protocol.ts). */
export const metaSchema = new Schema<any>({ _id: { type: String, required: true }, revId: { type: String, default: null } }, plain);

/**
 * A lease: who holds a named resource (the directory, publishing, a solve job) and until
 * when. Each taking of a lease is a new document `name#epoch`, inserted with a unique `_id`
 * (the one write that is atomic on FerretDB too), so two processes can never both take it.
 * See src/db/lease.ts.
 */
export const leaseSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, index: true },
    epoch: { type: Number, required: true },
    owner: { type: String, required: true },
    host: { type: String, required: true },
    pid: { type: Number, required: true },
    instance: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    releasedAt: { type: Date, default: null },
    /** What the holder is doing, for whoever must finish or undo it after a crash. */
    data: { type: Schema.Types.Mixed, default: null },
  },
  { ...plain, minimize: false },
);

/** Records staged by a directory write before its journal commits (packed JSON chunks). */
export const stagedSchema = new Schema<any>(
  { _id: { type: String, required: true }, writeId: { type: String, required: true, index: true }, payload: { type: Buffer, required: true } },
  { ...plain, timestamps: false },
);

/**
 * One committed publish state: which version of each plan is published and which feed
 * generation holds their feeds. `_id` is the generation number; inserting the next one is
 * the commit point of a publish (src/roster/publish-protocol.ts).
 */
export const generationSchema = new Schema<any>(
  {
    _id: { type: Number, required: true },
    versions: { type: Schema.Types.Mixed, required: true },
    // Generations committed before the feed map had its own document carry it here.
    feedKeys: { type: [String], default: undefined },
    feedGens: { type: [Number], default: undefined },
    committedAt: { type: Date, required: true },
  },
  { ...plain, timestamps: false, minimize: false },
);

/**
 * Which generation holds each feed of generation `_id` (src/roster/feed-store.ts): every feed
 * key and, at the same index, the generation of its document. Two flat arrays: FerretDB 1.x
 * stores no nested arrays. Written before its generation is committed, and apart from it:
 * the map has a pair per feed, and every reader of the live state would otherwise decode it
 * (measured: half the embedded database's CPU in a claim race).
 */
export const feedMapSchema = new Schema<any>(
  {
    _id: { type: Number, required: true },
    feedKeys: { type: [String], required: true },
    feedGens: { type: [Number], required: true },
  },
  { ...plain, timestamps: false },
);

/** The one queued or running solve of a plan (`_id` = plan id): inserted, so single-flight. */
export const activeSolveSchema = new Schema<any>({ _id: { type: String, required: true }, solveId: { type: String, required: true } }, plain);

// Explicit document types: mongoose's InferSchemaType exhausts tsc's heap on these schemas.
export type GateDoc = Gate;
export type CadreDoc = Cadre;
export interface AvailabilityDoc {
  cadreId: string;
  windows: { start: Date; end: Date; kind: AvailabilityKind }[];
}
export type TokenRole = 'planner' | 'village_head' | 'cadre' | 'inspector';
export interface ApiTokenDoc {
  tokenId: string;
  hash: string;
  role: TokenRole;
  villages: string[];
  /** Inspector tokens only (absent on tokens issued before inspectors existed). */
  towns?: string[];
  cadreId: string | null;
  /** Village-head tokens: the head's own entry in the people list (absent on older tokens). */
  personId?: string | null;
  label: string;
  revokedAt: Date | null;
  createdAt?: Date;
}

/**
 * A model of any of the collections, for the helpers that work on every one (reads by id,
 * uploads, backups): `any` for the reason `registerModels` gives; what they read is typed by
 * their callers (`lean<T>()`).
 */
export type AnyModel = Model<any>;

export interface Models {
  Gate: Model<GateDoc>;
  Cadre: Model<CadreDoc>;
  Availability: Model<AvailabilityDoc>;
  ApiToken: Model<ApiTokenDoc>;
  Plan: Model<any>;
  Solve: Model<any>;
  Roster: Model<any>;
  Publication: Model<any>;
  FeedToken: Model<any>;
  Feed: Model<any>;
  Meta: Model<any>;
  Lease: Model<any>;
  Staged: Model<any>;
  Generation: Model<any>;
  FeedMap: Model<any>;
  ActiveSolve: Model<any>;
  Channel: Model<any>;
  Outbox: Model<any>;
  Announced: Model<any>;
  DeliveryLog: Model<any>;
  GateKey: Model<any>;
  CheckIn: Model<any>;
  Inspection: Model<any>;
  VisitDay: Model<any>;
  AbsenceReport: Model<any>;
  Replan: Model<any>;
  Campaign: Model<any>;
  Roll: Model<any>;
  Claim: Model<any>;
  ClaimRound: Model<any>;
  Swap: Model<any>;
  SwapStep: Model<any>;
}

/** Registers every schema on a connection (idempotent) and returns the typed models. */
export function registerModels(connection: Connection): Models {
  // Model<any> then a cast: letting tsc relate mongoose's generic Model types here costs
  // minutes and gigabytes of heap (seen with mongoose 9 + TS 5.9).
  const get = (name: string, schema: Schema<any>): unknown => connection.models[name] ?? connection.model(name, schema);
  return {
    Gate: get('Gate', gateSchema) as Models['Gate'],
    Cadre: get('Cadre', cadreSchema) as Models['Cadre'],
    Availability: get('Availability', availabilitySchema) as Models['Availability'],
    ApiToken: get('ApiToken', apiTokenSchema) as Models['ApiToken'],
    Plan: get('Plan', planSchema) as Models['Plan'],
    Solve: get('Solve', solveSchema) as Models['Solve'],
    Roster: get('Roster', rosterSchema) as Models['Roster'],
    Publication: get('Publication', publicationSchema) as Models['Publication'],
    FeedToken: get('FeedToken', feedTokenSchema) as Models['FeedToken'],
    Feed: get('Feed', feedSchema) as Models['Feed'],
    Meta: get('Meta', metaSchema) as Models['Meta'],
    Lease: get('Lease', leaseSchema) as Models['Lease'],
    Staged: get('Staged', stagedSchema) as Models['Staged'],
    Generation: get('Generation', generationSchema) as Models['Generation'],
    FeedMap: get('FeedMap', feedMapSchema) as Models['FeedMap'],
    ActiveSolve: get('ActiveSolve', activeSolveSchema) as Models['ActiveSolve'],
    Channel: get('Channel', channelSchema) as Models['Channel'],
    Outbox: get('Outbox', outboxSchema) as Models['Outbox'],
    Announced: get('Announced', announcedSchema) as Models['Announced'],
    // Finished outbox messages move here after an hour, so the outbox the worker scans stays small.
    DeliveryLog: get('DeliveryLog', outboxSchema) as Models['DeliveryLog'],
    // On the ground (src/ground/): gate check-in secrets, check-ins, inspections.
    GateKey: get('GateKey', gateKeySchema) as Models['GateKey'],
    CheckIn: get('CheckIn', checkInSchema) as Models['CheckIn'],
    Inspection: get('Inspection', inspectionSchema) as Models['Inspection'],
    VisitDay: get('VisitDay', visitDaySchema) as Models['VisitDay'],
    AbsenceReport: get('AbsenceReport', absenceReportSchema) as Models['AbsenceReport'],
    Replan: get('Replan', replanSchema) as Models['Replan'],
    Campaign: get('Campaign', campaignSchema) as Models['Campaign'],
    Roll: get('Roll', rollSchema) as Models['Roll'],
    // Open shifts claimed by people themselves (src/claims/).
    Claim: get('Claim', claimSchema) as Models['Claim'],
    ClaimRound: get('ClaimRound', claimRoundSchema) as Models['ClaimRound'],
    // Swaps offered and taken by people themselves (src/claims/swaps.ts).
    Swap: get('Swap', swapSchema) as Models['Swap'],
    SwapStep: get('SwapStep', swapStepSchema) as Models['SwapStep'],
  };
}

/**
 * A work-group robot (or webhook, or planners' mailbox) that messages go to
 * (src/messaging/channels.ts). `url` and `secret` are needed in clear to post and sign, so
 * they are stored; no API answer and no log line ever contains them.
 */
export const channelSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['wecom', 'dingtalk', 'feishu', 'webhook', 'email'], required: true },
    url: { type: String, required: true },
    secret: { type: String, default: null },
    label: { type: String, default: '' },
    villages: { type: [String], default: [] },
    towns: { type: [String], default: [] },
    events: { type: [String], default: [] },
  },
  plain,
);

/**
 * One message to one channel (src/messaging/outbox.ts). `_id` = `<gen>:<idempotency key>`:
 * messages of a publish carry the generation they belong to and are sent only once that
 * generation is live; inserting the unique `_id` is what makes a message exist once.
 */
export const outboxSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    gen: { type: Number, required: true },
    key: { type: String, required: true },
    channelId: { type: String, required: true },
    event: { type: String, required: true },
    /** The message already split to fit the channel: each part is one POST. */
    parts: { type: Schema.Types.Mixed, required: true },
    partsSent: { type: Number, default: 0 },
    status: { type: String, enum: ['pending', 'sending', 'retrying', 'sent', 'failed'], required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    /** The lease under which a part was being posted (status `sending`). */
    sendingLease: { type: String, default: null },
    /** A part was posted without a definite answer: its next send says it is a re-send. */
    uncertain: { type: Boolean, default: false },
    lastAnswer: { type: String, default: null },
    sentAt: { type: Date, default: null },
    order: { type: Number, default: 0 },
  },
  { ...plain, minimize: false },
);

/**
 * Which gap a channel has been told of (`gap@…`) and told is filled again (`filled@…`), so
 * the periodic gap sweep (src/messaging/alerts.ts) tells each once. Insert-only.
 */
export const announcedSchema = new Schema<any>(
  {
    _id: { type: String, required: true },
    channelId: { type: String, required: true },
    planId: { type: String, required: true },
    gateId: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    missing: { type: Number, required: true },
  },
  { ...plain, timestamps: false },
);
