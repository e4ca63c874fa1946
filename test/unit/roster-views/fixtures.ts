/**
 * A tiny district whose numbers can be checked by eye, shared by the roster-view and feed
 * tests. Zone: Asia/Shanghai; all times below are local.
 *
 * 蛟川街道: 俞范村 (G1 东门, G2 西门), 临江村 (G4 南门, no shifts)
 * 骆驼街道: 盛家村 (G3 北门)
 */
import type { Assignment, Gap, GapReason } from '../../../src/domain/roster.js';
import { parseLocalDateTime } from '../../../src/domain/time.js';
import type { Cadre, Gate, Role } from '../../../src/domain/types.js';
import { indexById } from '../../../src/roster/views/index.js';

export const ZONE = 'Asia/Shanghai';

/** The instant of a local `YYYY-MM-DD HH:mm` in {@link ZONE}. */
export function at(local: string): Date {
  const instant = parseLocalDateTime(local, ZONE);
  if (instant === null) throw new Error(`bad local time ${local}`);
  return instant;
}

function gate(id: string, name: string, village: string, town: string): Gate {
  return { id, name, village, town, staffPerShift: 2, coverFrom: '00:00', coverTo: '24:00', activeFrom: null, activeTo: null, leadRequired: false };
}

function cadre(id: string, name: string, role: Role, village: string, phone: string): Cadre {
  return { id, name, phone, role, village, serves: ['*'], maxHoursWeek: null, nightOk: true };
}

export const GATES: Gate[] = [
  gate('G1', '东门', '俞范村', '蛟川街道'),
  gate('G2', '西门', '俞范村', '蛟川街道'),
  gate('G3', '北门', '盛家村', '骆驼街道'),
  gate('G4', '南门', '临江村', '蛟川街道'),
];

export const CADRES: Cadre[] = [
  cadre('C1', '张三', 'village_cadre', '俞范村', '13800000001'),
  cadre('C2', '李四', 'dispatched', '俞范村', '13800000002'),
  cadre('C3', '王五', 'volunteer', '俞范村', '13800000003'),
  cadre('C4', '赵六', 'village_cadre', '盛家村', '13800000004'),
];

export const PHONES = CADRES.map((c) => c.phone ?? '');
export const gatesById = indexById(GATES);
export const cadresById = indexById(CADRES);

/** One assignment, local times. */
export function duty(cadreId: string, gateId: string, start: string, end: string, pinned = false): Assignment {
  return { cadreId, gateId, start: at(start), end: at(end), pinned };
}

/** One gap, local times. */
export function gap(gateId: string, start: string, end: string, needed: number, filled: number, reason: GapReason, detail = '', detailZh = ''): Gap {
  return { gateId, start: at(start), end: at(end), needed, filled, reason, detail, detailZh };
}

/**
 * The roster around 2021-12-13:
 * - G1 12-12 16:00-24:00 王五            (previous day; 0 h on the 13th)
 * - G3 12-12 20:00-08:00 赵六            (previous day's place; 8 h on the 13th)
 * - G2 12-13 00:00-08:00 nobody          gap 2 missing, no_one_available
 * - G1 12-13 08:00-16:00 张三, 李四       full
 * - G3 12-13 08:00-20:00 赵六            gap 1 missing, no_one_eligible
 * - G1 12-13 16:00-24:00 张三            gap 1 missing, eligible_at_hour_cap
 * - G2 12-13 20:00-08:00 李四, 王五       full; 4 h each on the 13th
 * - G1 12-14 08:00-16:00 张三, 王五       next day
 */
export function sampleRoster(): { assignments: Assignment[]; gaps: Gap[] } {
  return {
    assignments: [
      duty('C3', 'G1', '2021-12-12 16:00', '2021-12-13 00:00'),
      duty('C4', 'G3', '2021-12-12 20:00', '2021-12-13 08:00'),
      duty('C1', 'G1', '2021-12-13 08:00', '2021-12-13 16:00', true),
      duty('C2', 'G1', '2021-12-13 08:00', '2021-12-13 16:00'),
      duty('C4', 'G3', '2021-12-13 08:00', '2021-12-13 20:00'),
      duty('C1', 'G1', '2021-12-13 16:00', '2021-12-14 00:00'),
      duty('C2', 'G2', '2021-12-13 20:00', '2021-12-14 08:00'),
      duty('C3', 'G2', '2021-12-13 20:00', '2021-12-14 08:00'),
      duty('C1', 'G1', '2021-12-14 08:00', '2021-12-14 16:00'),
      duty('C3', 'G1', '2021-12-14 08:00', '2021-12-14 16:00'),
    ],
    gaps: [
      gap('G2', '2021-12-13 00:00', '2021-12-13 08:00', 2, 0, 'no_one_available', '2 eligible, both unavailable', '可派驻人员共2人：2人不可值班或不值夜班。'),
      gap('G3', '2021-12-13 08:00', '2021-12-13 20:00', 2, 1, 'no_one_eligible', 'nobody else may serve 盛家村', '没有其他人可派驻到盛家村。'),
      gap(
        'G1',
        '2021-12-13 16:00',
        '2021-12-14 00:00',
        2,
        1,
        'eligible_at_hour_cap',
        '3 eligible, all at their 48 h weekly cap',
        '可派驻人员共3人：3人已达每周或24小时工时上限。',
      ),
    ],
  };
}
