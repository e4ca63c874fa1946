/**
 * Bearer tokens: 256 random bits, shown once, stored only as a SHA-256 hash, revocable.
 * A token carries a role and, for village heads, cadres and inspectors, the scope they may read.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ApiTokenDoc, Models, TokenRole } from '../db/models.js';
import { AppError } from '../errors.js';

/** Who is asking, after a token was checked. */
export interface Principal {
  tokenId: string;
  role: TokenRole;
  /** Villages a village head may read; empty for other roles. */
  villages: string[];
  /** The cadre a cadre token belongs to. */
  cadreId: string | null;
  /** Towns an inspector (an inspection squad) covers; empty = the whole district (or not an inspector). */
  towns: string[];
}

/** Whether an inspector's towns (none = the whole district) cover this town; false for other roles. */
export function inspectorCovers(principal: Principal, town: string): boolean {
  return principal.role === 'inspector' && (principal.towns.length === 0 || principal.towns.includes(town));
}

export interface IssuedToken {
  tokenId: string;
  /** The secret, shown once. */
  token: string;
  principal: Principal;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A URL-safe secret with the given prefix and 256 bits of randomness. */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export interface TokenRequest {
  role: TokenRole;
  villages?: string[];
  cadreId?: string;
  /** Inspectors: their towns; none = the whole district. */
  towns?: string[];
  /** Village heads: their own entry in the people list, so people who must call them see their phone. */
  personId?: string;
  label?: string;
}

export async function issueToken(models: Models, request: TokenRequest): Promise<IssuedToken> {
  const villages = request.role === 'village_head' ? [...new Set(request.villages ?? [])] : [];
  const cadreId = request.role === 'cadre' ? (request.cadreId ?? null) : null;
  const towns = request.role === 'inspector' ? [...new Set(request.towns ?? [])] : [];
  if (towns.length) {
    const known = new Set<string>(await models.Gate.distinct('town'));
    const unknown = towns.filter((t) => !known.has(t));
    if (unknown.length) throw new AppError('validation_failed', `unknown town(s): ${unknown.join(', ')}`);
  }
  if (request.role === 'village_head') {
    if (villages.length === 0) throw new AppError('validation_failed', 'a village_head token needs at least one village');
    const known = new Set<string>(await models.Gate.distinct('village'));
    const unknown = villages.filter((v) => !known.has(v));
    if (unknown.length) throw new AppError('validation_failed', `unknown village(s): ${unknown.join(', ')}`);
  }
  if (request.role === 'cadre') {
    if (!cadreId) throw new AppError('validation_failed', 'a cadre token needs a cadre id');
    if (!(await models.Cadre.exists({ _id: cadreId }))) throw new AppError('validation_failed', `unknown cadre "${cadreId}"`);
  }
  const token = newSecret('gd');
  const tokenId = randomBytes(8).toString('hex');
  const hash = hashSecret(token);
  const personId = request.role === 'village_head' ? (request.personId ?? null) : null;
  if (personId && !(await models.Cadre.exists({ _id: personId }))) throw new AppError('validation_failed', `unknown person "${personId}"`);
  await models.ApiToken.create({ _id: hash, tokenId, hash, role: request.role, villages, cadreId, towns, personId, label: request.label ?? '' });
  return { tokenId, token, principal: { tokenId, role: request.role, villages, cadreId, towns } };
}

/** The principal behind a secret, or null when unknown or revoked. */
export async function verifyToken(models: Models, token: string): Promise<Principal | null> {
  // By `_id` alone, revocation checked here: the embedded database reads every token for any
  // other filter (src/db/by-ids.ts), and every request starts here.
  const doc = await models.ApiToken.findOne({ _id: hashSecret(token) }).lean<ApiTokenDoc>();
  if (!doc || doc.revokedAt) return null;
  return { tokenId: doc.tokenId, role: doc.role, villages: doc.villages, cadreId: doc.cadreId, towns: doc.towns ?? [] };
}

export async function revokeToken(models: Models, tokenId: string): Promise<void> {
  const result = await models.ApiToken.updateOne({ tokenId, revokedAt: null }, { $set: { revokedAt: new Date() } });
  if (result.matchedCount === 0) throw new AppError('not_found', `no active token "${tokenId}"`);
}

export async function listTokens(models: Models): Promise<Omit<ApiTokenDoc, 'hash'>[]> {
  return models.ApiToken.find({}, { hash: 0, _id: 0 }).sort({ createdAt: 1 }).lean<Omit<ApiTokenDoc, 'hash'>[]>();
}
