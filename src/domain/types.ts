/**
 * The domain's plain data: what intake produces, what the database stores and what the
 * solver reads. No HTTP, no MongoDB here: routes and models are adapters around these.
 */

/** Who a person is, which decides where they may serve and whether they can lead a shift. */
export type Role = 'village_cadre' | 'dispatched' | 'volunteer';
export const ROLES: readonly Role[] = ['village_cadre', 'dispatched', 'volunteer'];

/** A window of a person's time: when they can, cannot, or would rather stand duty. */
export type AvailabilityKind = 'available' | 'unavailable' | 'preferred';
export const AVAILABILITY_KINDS: readonly AvailabilityKind[] = ['available', 'unavailable', 'preferred'];

/** One post (小门 / 卡口) that needs people on duty. */
export interface Gate {
  /** The planner's own code for the gate, unique in the district. */
  id: string;
  name: string;
  village: string;
  town: string;
  /** People needed on every shift (usually 2). */
  staffPerShift: number;
  /** Daily cover window, local `HH:mm`; `00:00`-`24:00` is round the clock. A window with
   * `coverTo` <= `coverFrom` wraps past midnight (e.g. 20:00-06:00). */
  coverFrom: string;
  coverTo: string;
  /** Inclusive local dates `YYYY-MM-DD`; null = open-ended. */
  activeFrom: string | null;
  activeTo: string | null;
  /** At least one village cadre on every shift. */
  leadRequired: boolean;
}

/** A person who can stand duty (干部 / 志愿者). */
export interface Cadre {
  id: string;
  name: string;
  phone: string | null;
  role: Role;
  /** Home village; must be a known village (one that has a gate). */
  village: string;
  /** Villages or towns the person may be sent to, besides their own village. Empty = own
   * village only. The special value `*` means anywhere in the district. */
  serves: string[];
  /** Personal weekly cap; null = the plan's default. */
  maxHoursWeek: number | null;
  nightOk: boolean;
}

/** A window of availability; instants are absolute (stored UTC, entered in local time). */
export interface AvailabilityWindow {
  cadreId: string;
  start: Date;
  end: Date;
  kind: AvailabilityKind;
}

/** Village and town are derived from gates: a village belongs to exactly one town. */
export interface Village {
  name: string;
  town: string;
}

/** A district-wide sentinel in `Cadre.serves`. */
export const SERVES_ANYWHERE = '*';

/** May this person serve at this gate? Own village always; otherwise a listed village or town. */
export function mayServe(cadre: Pick<Cadre, 'village' | 'serves'>, gate: Pick<Gate, 'village' | 'town'>): boolean {
  if (cadre.village === gate.village) return true;
  return cadre.serves.some((s) => s === SERVES_ANYWHERE || s === gate.village || s === gate.town);
}
