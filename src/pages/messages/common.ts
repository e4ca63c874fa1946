/**
 * Words every page shares: the app's name, the layout's language switch, the error page
 * (by the service's stable error codes) and the page shown while the database is down.
 */
import { defineMessages } from './define.js';

export const COMMON_MESSAGES = defineMessages(
  // zh-CN: the source
  {
    appName: '门岗值守',
    htmlLang: 'zh-CN',
    switchLang: 'English',
    errorTitle: '出错了',
    back: '返回',
    databaseDownPage: '系统暂时读不到数据，请过一会儿再试。值守照常进行；有急事请直接打电话给村社负责人。',
    // expected failures by their stable code (English pages show the service's own, more specific message)
    error_validation_failed: '内容有误，未写入任何数据',
    error_unauthorized: '登录已失效或口令无效，请重新登录',
    error_forbidden: '无权进行此操作，或页面已过期，请刷新后重试',
    error_not_found: '找不到所请求的内容',
    error_conflict: '与正在进行的操作冲突（例如已有排班计算在运行），请稍后重试',
    error_payload_too_large: '文件太大，超过了上传上限',
    error_unsupported_media_type: '文件类型不支持，请上传 CSV、Excel (.xlsx) 或 JSON 文件',
    error_bad_request: '请求有误，请检查填写的内容',
    error_rate_limited: '请求过于频繁，请稍后再试',
    error_unavailable: '数据库暂时无法连接，请几秒后重试',
  },
  // en: the same keys
  {
    appName: 'Gate duty',
    htmlLang: 'en',
    switchLang: '中文',
    errorTitle: 'Something went wrong',
    back: 'Back',
    databaseDownPage:
      'The system cannot read its data just now; try again in a moment. Keep standing duty as planned; if it is urgent, call your village head.',
    error_validation_failed: 'The input has problems; nothing was written',
    error_unauthorized: 'The sign-in has expired or the token is not valid; sign in again',
    error_forbidden: 'Not allowed, or the page has expired; reload it and try again',
    error_not_found: 'What was asked for was not found',
    error_conflict: 'This conflicts with something in progress (a solve already running, say); try again later',
    error_payload_too_large: 'The file is larger than an upload may be',
    error_unsupported_media_type: 'This file type is not supported; upload a CSV, Excel (.xlsx) or JSON file',
    error_bad_request: 'The request is not valid; check what was entered',
    error_rate_limited: 'Too many requests; try again in a moment',
    error_unavailable: 'The database cannot be reached just now; try again in a few seconds',
  },
);
