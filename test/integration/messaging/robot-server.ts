/**
 * A local stand-in for the WeCom, DingTalk and Feishu group robots and a plain webhook, on
 * 127.0.0.1. It checks each format as the issue states it, verifies the DingTalk and Feishu
 * signatures and the webhook HMAC with its own code (not the service's), answers errcode 0 or,
 * past a per-robot limit, 45009, and records every message it accepted.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RobotKind = 'wecom' | 'dingtalk' | 'feishu' | 'webhook';

export interface Received {
  kind: RobotKind;
  /** The robot's key/token (which group). */
  robot: string;
  text: string;
  title: string;
  mentions: string[];
  /** Webhook: the idempotency key header. */
  idempotencyKey?: string;
  /** Webhook: the sender says this is a re-send. */
  resent?: boolean;
  at: number;
}

export interface Rejected {
  kind: RobotKind;
  robot: string;
  reason: string;
}

export interface RobotServer {
  base: string;
  /** The url a planner would paste for this robot. */
  urlOf(kind: RobotKind, robot: string): string;
  /** Signing secret the server expects for a robot (set before use). */
  secrets: Map<string, string>;
  received: Received[];
  rejected: Rejected[];
  /** Answers 45009 (WeCom) to more than `max` messages per `windowMs` for this robot. */
  limit(robot: string, max: number, windowMs: number): void;
  rateLimitedAnswers: number;
  close(): Promise<void>;
}

export async function startRobotServer(): Promise<RobotServer> {
  const secrets = new Map<string, string>();
  const received: Received[] = [];
  const rejected: Rejected[] = [];
  const limits = new Map<string, { max: number; windowMs: number; hits: number[] }>();
  const state = { rateLimitedAnswers: 0 };

  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const answer = (json: object, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    const [, kind, ...rest] = url.pathname.split('/') as [string, RobotKind, ...string[]];
    const robot =
      kind === 'wecom' ? (url.searchParams.get('key') ?? '') : kind === 'dingtalk' ? (url.searchParams.get('access_token') ?? '') : (rest.at(-1) ?? '');
    const refuse = (reason: string, json: object, status = 200) => {
      rejected.push({ kind, robot, reason });
      answer(json, status);
    };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a robot's JSON as sent; each check below reads the fields it needs
    let parsed: any;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refuse('not JSON', { errcode: 40000, errmsg: 'invalid json' });
    }
    const limit = limits.get(robot);
    if (limit) {
      const now = Date.now();
      limit.hits = limit.hits.filter((t) => t > now - limit.windowMs);
      if (limit.hits.length >= limit.max) {
        state.rateLimitedAnswers += 1;
        return answer({ errcode: 45009, errmsg: 'api freq out of limit' });
      }
      limit.hits.push(now);
    }
    const secret = secrets.get(robot);
    switch (kind) {
      case 'wecom': {
        if (parsed.msgtype === 'markdown') {
          const content = parsed.markdown?.content;
          if (typeof content !== 'string' || Buffer.byteLength(content) > 4096)
            return refuse('markdown content missing or over 4096 bytes', { errcode: 40058, errmsg: 'content exceed max length' });
          received.push({ kind, robot, text: content, title: '', mentions: [], at: Date.now() });
        } else if (parsed.msgtype === 'text') {
          const content = parsed.text?.content;
          if (typeof content !== 'string' || Buffer.byteLength(content) > 2048)
            return refuse('text content missing or over 2048 bytes', { errcode: 40058, errmsg: 'content exceed max length' });
          received.push({ kind, robot, text: content, title: '', mentions: parsed.text.mentioned_mobile_list ?? [], at: Date.now() });
        } else return refuse(`msgtype ${parsed.msgtype}`, { errcode: 40008, errmsg: 'invalid message type' });
        return answer({ errcode: 0, errmsg: 'ok' });
      }
      case 'dingtalk': {
        const timestamp = url.searchParams.get('timestamp') ?? '';
        const sign = url.searchParams.get('sign') ?? '';
        const expected = createHmac('sha256', secret ?? '')
          .update(`${timestamp}\n${secret}`)
          .digest('base64');
        // searchParams decodes the urlencoded sign once: it must equal the base64 exactly.
        if (!secret || !safeEqual(sign, expected) || Math.abs(Date.now() - Number(timestamp)) > 3_600_000)
          return refuse('bad DingTalk signature', { errcode: 310000, errmsg: 'sign not match' });
        if (!/[?&]sign=[^&]*%/.test(url.search) && /[+/=]/.test(expected))
          return refuse('DingTalk sign not urlencoded', { errcode: 310000, errmsg: 'sign not match' });
        if (parsed.msgtype !== 'markdown' || typeof parsed.markdown?.title !== 'string' || typeof parsed.markdown?.text !== 'string')
          return refuse('not a markdown message', { errcode: 40035, errmsg: 'bad params' });
        received.push({ kind, robot, title: parsed.markdown.title, text: parsed.markdown.text, mentions: parsed.at?.atMobiles ?? [], at: Date.now() });
        return answer({ errcode: 0, errmsg: 'ok' });
      }
      case 'feishu': {
        const expected = createHmac('sha256', `${parsed.timestamp}\n${secret}`).update('').digest('base64');
        if (!secret || typeof parsed.sign !== 'string' || !safeEqual(parsed.sign, expected) || Math.abs(Date.now() / 1000 - Number(parsed.timestamp)) > 3600) {
          return refuse('bad Feishu signature', { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' });
        }
        if (parsed.msg_type !== 'text' || typeof parsed.content?.text !== 'string') return refuse('not a text message', { code: 9499, msg: 'bad request' });
        received.push({ kind, robot, title: '', text: parsed.content.text, mentions: [], at: Date.now() });
        return answer({ code: 0, msg: 'success', data: {} });
      }
      case 'webhook': {
        const signature = String(req.headers['x-signature'] ?? '');
        const expected = `sha256=${createHmac('sha256', secret ?? '')
          .update(body)
          .digest('hex')}`;
        if (!secret || !safeEqual(signature, expected)) return refuse('bad webhook signature', {}, 401);
        received.push({
          kind,
          robot,
          title: parsed.title,
          text: parsed.text,
          mentions: parsed.mentions ?? [],
          idempotencyKey: String(req.headers['x-idempotency-key']),
          resent: parsed.resent === true,
          at: Date.now(),
        });
        return answer({ ok: true });
      }
      default:
        return refuse('unknown path', {}, 404);
    }
  };
  const server: Server = createServer((req, res) => void answer(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    urlOf: (kind, robot) =>
      kind === 'wecom'
        ? `${base}/wecom/cgi-bin/webhook/send?key=${robot}`
        : kind === 'dingtalk'
          ? `${base}/dingtalk/robot/send?access_token=${robot}`
          : kind === 'feishu'
            ? `${base}/feishu/open-apis/bot/v2/hook/${robot}`
            : `${base}/webhook/${robot}`,
    secrets,
    received,
    rejected,
    limit: (robot, max, windowMs) => limits.set(robot, { max, windowMs, hits: [] }),
    get rateLimitedAnswers() {
      return state.rateLimitedAnswers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
