/**
 * Words of handing out links in the console: the issue form, its confirmation and the
 * printable link sheet.
 */
import { defineMessages } from './define.js';

export const LINKS_MESSAGES = defineMessages(
  // zh-CN: the source
  {
    linksTitle: '发放链接',
    linksHint: '链接只在签发时显示一次（系统只保存其摘要）。签发后会打开可打印的链接单（含二维码），也可下载 Excel。',
    allVillages: '全部村社',
    linksStatus: '{n} 人中 {m} 人已有日历链接',
    issueMissing: '为没有链接的人签发',
    rotateAll: '为所有人重新签发（旧链接失效）',
    withHeads: '同时签发村社负责人页面链接和村社日历链接',
    linksConfirmTitle: '确认签发链接',
    linksConfirmText: '范围：{scope}。将签发 {n} 个个人日历链接。',
    linksRevokeWarn: '{n} 人现有的链接将立即失效，他们需要重新订阅。',
    confirmIssue: '确认签发',
    linkSheetTitle: '链接单',
    print: '打印',
    downloadSheetXlsx: '下载 Excel（含二维码）',
    copy: '复制',
    copied: '已复制',
    headLinks: '村社负责人页面',
    villageFeeds: '村社日历',
    scanToSubscribe: '扫码订阅值班日历',
    linksNav: '发放链接（二维码单）',
    nothingIssued: '没有需要签发的链接。',
  },
  // en: the same keys
  {
    linksTitle: 'Hand out links',
    linksHint: 'A link is shown only when it is issued (only its hash is kept). Issuing opens a printable sheet with QR codes, also as Excel.',
    allVillages: 'All villages',
    linksStatus: '{m} of {n} people have a calendar link',
    issueMissing: 'Issue to those without a link',
    rotateAll: 'Rotate everyone’s (old links stop working)',
    withHeads: 'Also issue the village head’s page link and the village feed',
    linksConfirmTitle: 'Confirm issuing links',
    linksConfirmText: 'Scope: {scope}. {n} calendar links will be issued.',
    linksRevokeWarn: '{n} people’s current links stop working at once; they must subscribe again.',
    confirmIssue: 'Issue',
    linkSheetTitle: 'Link sheet',
    print: 'Print',
    downloadSheetXlsx: 'Download Excel (with QR codes)',
    copy: 'Copy',
    copied: 'Copied',
    headLinks: 'Village head pages',
    villageFeeds: 'Village feeds',
    scanToSubscribe: 'Scan to subscribe to your duty calendar',
    linksNav: 'Hand out links (QR sheets)',
    nothingIssued: 'No links needed issuing.',
  },
);
