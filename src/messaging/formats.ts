/**
 * The wire formats of each channel kind: fitting a message into a kind's size limit, and the
 * HTTP request (body, signature) that posts one part. Pure: the caller gives the clock.
 *
 * - wecom: `{"msgtype":"markdown","markdown":{"content"}}` (content ≤ 4096 bytes), or
 *   `{"msgtype":"text","text":{"content","mentioned_mobile_list"}}` (≤ 2048 bytes) when the
 *   part mentions someone (WeCom markdown cannot mention by mobile).
 * - dingtalk: `{"msgtype":"markdown","markdown":{"title","text"},"at":{"atMobiles"}}`, posted to
 *   the url plus `&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret, "ts\nsecret")>`.
 * - feishu: `{"timestamp":"<s>","sign":<base64 HMAC-SHA256 keyed by "ts\nsecret" over "">,
 *   "msg_type":"text","content":{"text"}}`. Feishu's custom bots cannot mention by mobile, so
 *   people are named in the text.
 * - webhook: a JSON event; `X-Signature: sha256=<hex HMAC-SHA256(secret, body)>`.
 */
import { createHmac } from 'node:crypto';
import type { Block, ChannelKind, Part } from './types.js';

/** Bytes of UTF-8 each kind takes in one message (with room left for the re-send note). */
export const PART_LIMIT_BYTES: Record<ChannelKind, { plain: number; mentions: number }> = {
  wecom: { plain: 4096 - 120, mentions: 2048 - 120 },
  // DingTalk takes about 20,000 bytes; long texts are hard to read on a phone anyway.
  dingtalk: { plain: 6000, mentions: 6000 },
  feishu: { plain: 6000, mentions: 6000 },
  webhook: { plain: 60_000, mentions: 60_000 },
  email: { plain: 200_000, mentions: 200_000 },
};

/** Said on a part sent again after a crash or timeout left its first send unconfirmed. */
export const RESEND_NOTE = '（补发：如已收到请忽略）';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** The text a part is rendered to for `kind`, before any signature. */
export function partText(kind: ChannelKind, part: Pick<Part, 'title' | 'text' | 'mentions'>, resent = false): string {
  const note = resent ? `\n${RESEND_NOTE}` : '';
  switch (kind) {
    case 'wecom':
      return part.mentions.length ? `【${part.title}】\n${part.text}${note}` : `### ${part.title}\n${part.text}${note}`;
    case 'dingtalk': {
      // DingTalk highlights an @ only when the mobile is written in the text as well.
      const at = part.mentions.length ? `\n\n${part.mentions.map((m) => `@${m}`).join(' ')}` : '';
      return `### ${part.title}\n\n${part.text.replaceAll('\n', '  \n')}${at}${note}`;
    }
    default:
      return `【${part.title}】\n${part.text}${note}`;
  }
}

/**
 * Packs blocks into as few parts as fit the kind's limit, in order; a block never spans two
 * parts unless it alone is too long (then it is cut at character boundaries).
 */
export function splitMessage(kind: ChannelKind, title: string, blocks: readonly Block[]): Part[] {
  const parts: Part[] = [];
  let current: Block[] = [];
  const fits = (candidate: Block[]): boolean => {
    const mentions = [...new Set(candidate.flatMap((b) => b.mentions))];
    const limit = mentions.length ? PART_LIMIT_BYTES[kind].mentions : PART_LIMIT_BYTES[kind].plain;
    return bytes(partText(kind, { title: `${title}（99/99）`, text: candidate.map((b) => b.text).join('\n\n'), mentions })) <= limit;
  };
  for (const block of blocks.flatMap((b) => cutBlock(kind, title, b))) {
    if (current.length === 0 || fits([...current, block])) current.push(block);
    else {
      parts.push(toPart(title, current));
      current = [block];
    }
  }
  if (current.length || parts.length === 0) parts.push(toPart(title, current));
  if (parts.length > 1) parts.forEach((p, i) => (p.title = `${title}（${i + 1}/${parts.length}）`));
  return parts;
}

function toPart(title: string, blocks: Block[]): Part {
  return { title, text: blocks.map((b) => b.text).join('\n\n'), mentions: [...new Set(blocks.flatMap((b) => b.mentions))] };
}

/** A block too long for one part on its own, cut into pieces that fit. */
function cutBlock(kind: ChannelKind, title: string, block: Block): Block[] {
  const limit =
    (block.mentions.length ? PART_LIMIT_BYTES[kind].mentions : PART_LIMIT_BYTES[kind].plain) -
    bytes(partText(kind, { title: `${title}（99/99）`, text: '', mentions: block.mentions }));
  if (bytes(block.text) <= limit) return [block];
  const pieces: Block[] = [];
  let piece = '';
  for (const char of block.text) {
    if (bytes(piece + char) > limit) {
      pieces.push({ text: piece, mentions: block.mentions });
      piece = '';
    }
    piece += char;
  }
  if (piece) pieces.push({ text: piece, mentions: block.mentions });
  return pieces;
}

/** An HTTP request that posts one part. */
export interface RobotRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Which message part is being sent, and when. */
export interface PartContext {
  /** Idempotency key of the message and which part this is (webhooks receive both). */
  key: string;
  event: string;
  partIndex: number;
  partCount: number;
  resent: boolean;
  now: Date;
}

export interface RequestContext extends PartContext {
  url: string;
  secret: string | null;
}

export function robotRequest(kind: Exclude<ChannelKind, 'email'>, part: Part, ctx: RequestContext): RobotRequest {
  const json = { 'content-type': 'application/json' };
  const text = partText(kind, part, ctx.resent);
  switch (kind) {
    case 'wecom': {
      const body = part.mentions.length
        ? { msgtype: 'text', text: { content: text, mentioned_mobile_list: part.mentions } }
        : { msgtype: 'markdown', markdown: { content: text } };
      return { url: ctx.url, headers: json, body: JSON.stringify(body) };
    }
    case 'dingtalk': {
      let url = ctx.url;
      if (ctx.secret) {
        const timestamp = String(ctx.now.getTime());
        url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(timestamp, ctx.secret))}`;
      }
      const body = { msgtype: 'markdown', markdown: { title: part.title, text }, at: { atMobiles: part.mentions, isAtAll: false } };
      return { url, headers: json, body: JSON.stringify(body) };
    }
    case 'feishu': {
      const timestamp = String(Math.floor(ctx.now.getTime() / 1000));
      const signed = ctx.secret ? { timestamp, sign: feishuSign(timestamp, ctx.secret) } : {};
      return { url: ctx.url, headers: json, body: JSON.stringify({ ...signed, msg_type: 'text', content: { text } }) };
    }
    case 'webhook': {
      const body = JSON.stringify({
        id: ctx.key,
        event: ctx.event,
        part: ctx.partIndex + 1,
        parts: ctx.partCount,
        resent: ctx.resent,
        title: part.title,
        text: part.text,
        mentions: part.mentions,
        sentAt: ctx.now.toISOString(),
      });
      // Keys name villages (`shift:<plan>:<version>:东村`) and header values must be ASCII:
      // percent-encoded, as in a URL (the body's `id` carries the key as it is).
      const headers: Record<string, string> = { ...json, 'x-idempotency-key': encodeURIComponent(`${ctx.key}#${ctx.partIndex + 1}`) };
      if (ctx.secret) headers['x-signature'] = `sha256=${createHmac('sha256', ctx.secret).update(body).digest('hex')}`;
      return { url: ctx.url, headers, body };
    }
  }
}

/** DingTalk: base64 of HMAC-SHA256 keyed by the secret over "timestamp\nsecret" (not yet url-encoded). */
export function dingtalkSign(timestampMs: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** Feishu: base64 of HMAC-SHA256 keyed by "timestamp\nsecret" over an empty message. */
export function feishuSign(timestampS: string, secret: string): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}

/** How a robot answered: 0 is success; a rate limit asks the sender to slow down. */
export interface RobotAnswer {
  ok: boolean;
  rateLimited: boolean;
  /** Short text for the delivery log: HTTP status and the robot's code and message. */
  summary: string;
}

/** Robot error codes that mean "too many messages": WeCom 45009, DingTalk 130101/410100, Feishu 9499/11232. */
const RATE_LIMIT_CODES = new Set([45009, 130101, 410100, 9499, 11232]);

export function readAnswer(kind: ChannelKind, status: number, text: string): RobotAnswer {
  const summary = `HTTP ${status} ${text.slice(0, 300)}`;
  if (kind === 'webhook') return { ok: status >= 200 && status < 300, rateLimited: status === 429, summary };
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: judged by the status alone
  }
  // WeCom and DingTalk answer errcode, Feishu code (StatusCode in old versions).
  const code = [parsed.errcode, parsed.code, parsed.StatusCode].find((v): v is number => typeof v === 'number');
  return { ok: status >= 200 && status < 300 && code === 0, rateLimited: status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code)), summary };
}
