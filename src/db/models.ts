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
    role: { type: String, enum: ['planner', 'village_head', 'cadre'], required: true },
    villages: { type: [String], default: [] },
    cadreId: { type: String, default: null },
    label: { type: String, default: '' },
    revokedAt: { type: Date, default: null },
  },
  plain,
);

// Explicit document types: mongoose's InferSchemaType exhausts tsc's heap on these schemas.
export type GateDoc = Gate;
export type CadreDoc = Cadre;
export interface AvailabilityDoc {
  cadreId: string;
  windows: { start: Date; end: Date; kind: AvailabilityKind }[];
}
export type TokenRole = 'planner' | 'village_head' | 'cadre';
export interface ApiTokenDoc {
  tokenId: string;
  hash: string;
  role: TokenRole;
  villages: string[];
  cadreId: string | null;
  label: string;
  revokedAt: Date | null;
  createdAt?: Date;
}

export interface Models {
  Gate: Model<GateDoc>;
  Cadre: Model<CadreDoc>;
  Availability: Model<AvailabilityDoc>;
  ApiToken: Model<ApiTokenDoc>;
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
  };
}
