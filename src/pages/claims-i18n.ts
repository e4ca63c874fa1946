/**
 * Words of open shifts and claims (`/me`: what is open to me, claim it, what became of my
 * claims; the village page: who claimed what), spread into the dictionaries of ./i18n.ts;
 * `en` is typed by `zh`. The reasons a claim is refused come with the claim
 * (src/claims/refusals.ts), in both languages.
 */
export const CLAIMS_ZH = {
  openShiftsTitle: '可认领的空岗',
  openShiftsHint: '以下班次还缺人，你可以值守且不违反任何排班规则。先认领者得；认领后立即发布，你的日历会自动更新。',
  noOpenShifts: '目前没有你可以认领的空岗。',
  openShiftPlaces: '还缺 {n} 人',
  claimSubmit: '认领这个班',
  claimPublished: '认领成功：{gate} {when}。已发布，日历稍后更新。',
  claimPending: '已认领 {gate} {when}，正在发布，请稍后刷新查看。',
  claimRefusedTitle: '未能认领',
  claimRefusedStillOpen: '下面是仍然可以认领的空岗。',
  myClaims: '我的认领',
  claimStatus_pending: '发布中',
  claimStatus_published: '已发布',
  claimStatus_refused: '未成功',
  // village page
  claimsTitle: '志愿者认领的空岗',
  claimsNone: '本村还没有人认领空岗。',
  claimedBy: '认领人',
  claimedAt: '认领时间',
};

export const CLAIMS_EN: { readonly [K in keyof typeof CLAIMS_ZH]: string } = {
  openShiftsTitle: 'Open shifts you can take',
  openShiftsHint: 'These shifts are short of people, and you could take them without breaking any rule. First claim wins; a claim is published at once and your calendar updates.',
  noOpenShifts: 'No open shift you could take right now.',
  openShiftPlaces: '{n} more needed',
  claimSubmit: 'Claim this shift',
  claimPublished: 'Claimed: {gate} {when}. Published; your calendar follows shortly.',
  claimPending: 'Claimed {gate} {when}; publishing, refresh in a moment.',
  claimRefusedTitle: 'Could not claim',
  claimRefusedStillOpen: 'These are still open.',
  myClaims: 'My claims',
  claimStatus_pending: 'publishing',
  claimStatus_published: 'published',
  claimStatus_refused: 'not taken',
  claimsTitle: 'Open shifts claimed by volunteers',
  claimsNone: 'Nobody of this village has claimed an open shift yet.',
  claimedBy: 'Claimed by',
  claimedAt: 'Claimed at',
};
