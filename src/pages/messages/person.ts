/**
 * Words of a person's own page (`/me`): their shifts and how to subscribe to their calendar.
 */
import { defineMessages } from './define.js';

export const PERSON_MESSAGES = defineMessages(
  // zh-CN: the source
  {
    personTitle: '我的值班',
    personNoToken: '链接无效或已被收回，请向排班员索取新的链接。',
    upcoming: '接下来的班次',
    noUpcoming: '接下来没有排班。',
    latestShifts: '接下来没有排班；以下是已发布的最近班次',
    earlierShifts: '已过去的班次（{n} 个）',
    when: '时间',
    where: '地点',
    partners: '同班',
    none: '无',
    subscribeTitle: '订阅到手机日历',
    subscribe: '一键订阅日历',
    feedUrl: '日历链接',
    qrAlt: '日历链接的二维码',
    qrHint: '用另一部手机扫码，或长按复制上面的链接。',
    howIphone: 'iPhone：点“一键订阅日历”，再点“订阅”。或在“设置 › 日历 › 账户 › 添加账户 › 其他 › 添加已订阅的日历”中粘贴链接。',
    howAndroid: '安卓（谷歌日历）：在电脑上打开 calendar.google.com，“其他日历” › “+” › “通过网址添加”，粘贴链接；手机上的谷歌日历会自动同步。',
    howOutlook: 'Outlook：“添加日历” › “从 Internet 订阅”，粘贴链接。',
    keepSecret: '此链接就是您的钥匙，请勿转发。',
  },
  // en: the same keys
  {
    personTitle: 'My duty',
    personNoToken: 'This link is invalid or was revoked; ask the planner for a new one.',
    upcoming: 'Upcoming shifts',
    noUpcoming: 'No upcoming shifts.',
    latestShifts: 'No upcoming shifts; these are the latest published ones',
    earlierShifts: 'Past shifts ({n})',
    when: 'When',
    where: 'Where',
    partners: 'With',
    none: 'nobody',
    subscribeTitle: 'Subscribe in your phone’s calendar',
    subscribe: 'Subscribe to calendar',
    feedUrl: 'Calendar link',
    qrAlt: 'QR code of the calendar link',
    qrHint: 'Scan it with another phone, or long-press the link above to copy it.',
    howIphone:
      'iPhone: tap “Subscribe to calendar”, then “Subscribe”. Or Settings › Calendar › Accounts › Add Account › Other › Add Subscribed Calendar, and paste the link.',
    howAndroid: 'Android (Google Calendar): on a computer open calendar.google.com, Other calendars › “+” › From URL, paste the link; the phone app syncs it.',
    howOutlook: 'Outlook: Add calendar › Subscribe from web, paste the link.',
    keepSecret: 'This link is your key: do not forward it.',
  },
);
