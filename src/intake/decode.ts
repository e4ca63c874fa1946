/**
 * Bytes of a CSV upload -> text. Excel on a Chinese Windows machine saves "CSV" in the ANSI
 * code page (GBK), "CSV UTF-8" with a BOM; people also send plain UTF-8. GB18030 is a
 * superset of GBK and GB2312, so one decoder serves all three.
 */
import iconv from 'iconv-lite';
import type { Bilingual } from './problem.js';

export type Decoded = { ok: true; text: string } | { ok: false; message: Bilingual };

const GB_CHARSETS = new Set(['gbk', 'gb2312', 'gb18030', 'cp936', 'x-gbk']);
const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);

/** The `charset=` parameter of a Content-Type header, lower-cased, or null. */
export function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return m ? (m[1] as string).toLowerCase() : null;
}

export function decodeCsvBytes(body: Buffer, charset: string | null): Decoded {
  if (startsWith(body, [0xff, 0xfe]) || startsWith(body, [0xfe, 0xff])) {
    return {
      ok: false,
      message: {
        en: 'this file is UTF-16 ("Unicode text"); save it from Excel as "CSV UTF-8 (逗号分隔)" or "CSV (逗号分隔)"',
        zh: '此文件是 UTF-16 编码（"Unicode 文本"），请在 Excel 中另存为"CSV UTF-8 (逗号分隔)"或"CSV (逗号分隔)"',
      },
    };
  }
  if (startsWith(body, [0x50, 0x4b, 0x03, 0x04])) {
    return {
      ok: false,
      message: {
        en: 'this looks like an Excel workbook, not CSV; send it with Content-Type application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        zh: '此文件是 Excel 工作簿，不是 CSV；请按 .xlsx 文件上传（Content-Type 为 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet）',
      },
    };
  }
  if (charset !== null && GB_CHARSETS.has(charset)) return fromGb18030(body);
  const hasBom = startsWith(body, [0xef, 0xbb, 0xbf]);
  const bytes = hasBom ? body.subarray(3) : body;
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // A BOM or an explicit charset=utf-8 says UTF-8: don't second-guess it.
    if (hasBom || (charset !== null && UTF8_CHARSETS.has(charset))) {
      return {
        ok: false,
        message: {
          en: 'wrong encoding: the file says it is UTF-8 but contains bytes that are not UTF-8 (文件编码错误)',
          zh: '文件编码错误：文件标明是 UTF-8，内容却不是 UTF-8',
        },
      };
    }
    return fromGb18030(body);
  }
}

function fromGb18030(body: Buffer): Decoded {
  const text = iconv.decode(body, 'gb18030');
  // iconv-lite replaces undecodable bytes with U+FFFD rather than failing.
  if (text.includes('\uFFFD')) {
    return {
      ok: false,
      message: {
        en: 'wrong encoding: the file is neither UTF-8 nor GBK/GB18030 (文件编码错误); save it from Excel as "CSV UTF-8 (逗号分隔)"',
        zh: '文件编码错误：既不是 UTF-8 也不是 GBK/GB18030，请在 Excel 中另存为"CSV UTF-8 (逗号分隔)"',
      },
    };
  }
  return { ok: true, text };
}

function startsWith(body: Buffer, prefix: number[]): boolean {
  return prefix.every((b, i) => body[i] === b);
}
