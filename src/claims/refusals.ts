/**
 * Why a person may not take an open place: a stable code for clients and a sentence for the
 * person, Chinese first (they read it on their phone at the moment the claim fails).
 */
export type ClaimRefusalCode =
  | 'not_offered'
  | 'taken'
  | 'locality'
  | 'availability'
  | 'night'
  | 'busy'
  | 'other_plan'
  | 'min_rest'
  | 'max_hours_24h'
  | 'weekly_hours'
  | 'consecutive_nights'
  | 'lead'
  | 'held'
  | 'unknown_person'
  | 'swap_taken'
  | 'swap_not_for_you'
  | 'swap_own'
  | 'swap_expired'
  | 'swap_changed'
  | 'swap_lead';

export interface ClaimRefusal {
  code: ClaimRefusalCode;
  /** For the person, in Chinese. */
  messageZh: string;
  /** The same in English. */
  message: string;
}

const TEXT: Record<ClaimRefusalCode, [zh: string, en: string]> = {
  not_offered: [
    '这个班次现在不是可认领的空岗（已开始、已补上，或不在开放认领的时间内）。',
    'This shift is not an open shift now (it started, was filled, or is outside the offer window).',
  ],
  taken: ['这个空岗已被别人先认领了。', 'Someone else claimed this place first.'],
  locality: ['这个卡口不在你可以派驻的村镇范围内。', 'This gate is outside the villages and towns you may serve.'],
  availability: ['你在这个班次的时间里登记为不可用。', 'You are marked unavailable during this shift.'],
  night: ['你登记为不值夜班，这是夜班。', 'You do not take night shifts, and this is one.'],
  busy: ['这个时间你已经在别的卡口值守。', 'You are already on duty at another gate then.'],
  other_plan: [
    '这个班次与你在其他排班中的值守冲突（时间重叠、休息不足、24小时工时或连续夜班超限）。',
    'It clashes with your duty in another plan (overlap, rest, 24 h hours or consecutive nights).',
  ],
  min_rest: ['与你的前后班次之间休息时间不足。', 'It leaves less than the minimum rest next to another of your shifts.'],
  max_hours_24h: ['加上这个班次，你24小时内的值守时间会超过上限。', 'With it you would exceed the maximum hours in 24 h.'],
  weekly_hours: ['加上这个班次，你本周的值守时间会超过上限。', 'With it you would exceed your weekly hours.'],
  consecutive_nights: ['加上这个班次，你连续值夜班的天数会超过上限。', 'With it you would work too many nights in a row.'],
  lead: ['这一班还缺一名本村干部带班，最后一个位置留给本村干部。', 'This shift still needs a village cadre to lead it; the last place is kept for one.'],
  held: [
    '这个空岗先向志愿者和下派干部开放，稍后再向本村干部开放。',
    'This place is offered to volunteers and dispatched cadres first; village cadres may claim it a little later.',
  ],
  unknown_person: ['名册里找不到你，请联系村里负责人。', 'You are not in the directory; ask your village head.'],
  swap_taken: ['这个换班已被别人接受，或已被发起人撤回。', 'Someone else accepted this swap first, or it was withdrawn.'],
  swap_not_for_you: ['这个换班只提供给指定的同事。', 'This swap is offered to a named colleague only.'],
  swap_own: ['这是你自己发出的换班。', 'This is your own offer.'],
  swap_expired: ['这个换班已过期：班次已经开始。', 'This swap has expired: the shift has started.'],
  swap_changed: ['这个换班已失效：班次在发出后有了变动。', 'This swap no longer applies: the shift changed after it was offered.'],
  swap_lead: ['换班后这一班将没有本村干部带班。', 'After the swap this shift would have no village cadre to lead it.'],
};

/** A refusal that concerns the person who offered the swap (the shift they would take in return). */
export function forOfferer(why: ClaimRefusal): ClaimRefusal {
  return { ...why, messageZh: `换回给发起人的班次：${why.messageZh}`, message: `For the offerer, taking your shift in return: ${why.message}` };
}

export function refusal(code: ClaimRefusalCode): ClaimRefusal {
  const [messageZh, message] = TEXT[code];
  return { code, messageZh, message };
}

export const CLAIM_REFUSAL_CODES = Object.keys(TEXT) as ClaimRefusalCode[];
