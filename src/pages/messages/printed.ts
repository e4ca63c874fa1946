/**
 * Words of the sheets that leave the screen: the Excel link sheet, the roster and gap
 * downloads and the duty sheets. Their pages read these in Chinese whatever the page's
 * language (they are posted at gates and handed to village staff); `en` is the same words in
 * English, for completeness.
 */
import { defineMessages } from './define.js';

export const PRINTED_MESSAGES = defineMessages(
  // zh-CN: the source
  {
    // link sheet (Excel)
    sheetLinks: '链接',
    sheetLinkKind_cadre: '个人日历',
    sheetLinkKind_head: '负责人页面',
    sheetLinkKind_village: '村社日历',
    // roster and gap downloads (Excel, CSV)
    sheetRoster: '排班',
    sheetGaps: '缺口',
    // column headings
    sheetColVillage: '村社',
    sheetColName: '姓名',
    sheetColId: '编号',
    sheetColKind: '类别',
    sheetColQr: '二维码',
    sheetColLink: '链接',
    sheetColCadreId: '人员编号',
    sheetColTown: '镇街',
    sheetColGateId: '门岗编号',
    sheetColGate: '门岗',
    sheetColStart: '开始',
    sheetColEnd: '结束',
    sheetColNeeded: '需要',
    sheetColFilled: '已排',
    sheetColReason: '原因',
    sheetColDate: '日期',
    // duty sheet (Excel): title row, page footer, a gap in a cell
    dutySheetHeading: '{village} {gate} 值班表（{plan}）',
    dutySheetFooter: '{plan} 第{version}版',
    dutySheetMissing: '缺{n}人',
  },
  // en: the same keys
  {
    sheetLinks: 'Links',
    sheetLinkKind_cadre: 'Personal calendar',
    sheetLinkKind_head: 'Village head page',
    sheetLinkKind_village: 'Village calendar',
    sheetRoster: 'Roster',
    sheetGaps: 'Gaps',
    sheetColVillage: 'Village',
    sheetColName: 'Name',
    sheetColId: 'ID',
    sheetColKind: 'Kind',
    sheetColQr: 'QR code',
    sheetColLink: 'Link',
    sheetColCadreId: 'Person ID',
    sheetColTown: 'Town',
    sheetColGateId: 'Gate ID',
    sheetColGate: 'Gate',
    sheetColStart: 'Start',
    sheetColEnd: 'End',
    sheetColNeeded: 'Needed',
    sheetColFilled: 'Filled',
    sheetColReason: 'Reason',
    sheetColDate: 'Date',
    dutySheetHeading: '{village} {gate} duty sheet ({plan})',
    dutySheetFooter: '{plan} version {version}',
    dutySheetMissing: '{n} short',
  },
);
