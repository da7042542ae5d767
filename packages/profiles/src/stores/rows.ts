import { ProfileCorruptError } from '../errors.js';
import { type UserProfile, validateOverrides } from '../profile.js';
import { TIER_LEVELS, type TierLevel } from '../tiers.js';

/** A profile as stored: JSON columns as text (SQLite) or already parsed (PostgreSQL JSONB). */
export interface ProfileRow {
  id: string;
  tier: string;
  overrides: string | object;
  preferences: string | object;
  metadata: string | object;
  created_at: number | string | Date;
  updated_at: number | string | Date;
  version: number | string;
}

function json(id: string, field: string, v: string | object): Record<string, unknown> {
  if (typeof v !== 'string') return v as Record<string, unknown>;
  try {
    const parsed = JSON.parse(v);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed;
  } catch (e) {
    throw new ProfileCorruptError(id, field, `not a JSON object (${(e as Error).message})`);
  }
}

function date(id: string, field: string, v: number | string | Date): Date {
  const d = v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
  if (Number.isNaN(d.getTime())) throw new ProfileCorruptError(id, field, `not a timestamp (${String(v)})`);
  return d;
}

/** Reads a row back into a profile, checking every field. */
export function fromRow(row: ProfileRow): UserProfile {
  const id = row.id;
  if (!(TIER_LEVELS as readonly string[]).includes(row.tier))
    throw new ProfileCorruptError(id, 'tier', `unknown tier "${row.tier}"`);
  let overrides: UserProfile['overrides'];
  try {
    overrides = validateOverrides(json(id, 'overrides', row.overrides));
  } catch (e) {
    if (e instanceof ProfileCorruptError) throw e;
    throw new ProfileCorruptError(id, 'overrides', (e as Error).message);
  }
  const version = Number(row.version);
  if (!Number.isInteger(version) || version < 1)
    throw new ProfileCorruptError(id, 'version', `not a positive integer (${String(row.version)})`);
  return {
    id,
    tier: row.tier as TierLevel,
    overrides,
    preferences: json(id, 'preferences', row.preferences) as UserProfile['preferences'],
    metadata: json(id, 'metadata', row.metadata),
    createdAt: date(id, 'created_at', row.created_at),
    updatedAt: date(id, 'updated_at', row.updated_at),
    version,
  };
}

/** Column values of a profile, JSON as text. */
export function toRow(p: UserProfile) {
  return {
    id: p.id,
    tier: p.tier,
    overrides: JSON.stringify(p.overrides),
    preferences: JSON.stringify(p.preferences),
    metadata: JSON.stringify(p.metadata),
    created_at: p.createdAt.getTime(),
    updated_at: p.updatedAt.getTime(),
    version: p.version,
  };
}
