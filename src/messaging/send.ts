/**
 * Posts one part of a message to one channel and says how it went. Three outcomes matter to
 * the worker: delivered (the robot answered success), not delivered (a definite refusal, a
 * rate limit, or no connection at all), and unknown (the request went out but no answer came
 * back: a timeout or a dropped connection; the robot may have shown it).
 */
import type { Channel, Part } from './types.js';
import { readAnswer, robotRequest, type PartContext } from './formats.js';
import { sendMail, type MailSettings } from './email.js';

export type SendOutcome =
  | { result: 'delivered'; answer: string }
  | { result: 'rate_limited'; answer: string }
  | { result: 'refused'; answer: string }
  | { result: 'unknown'; answer: string };

export interface SendContext extends PartContext {
  timeoutMs: number;
  mail: MailSettings;
}

/** Errors raised before a request could reach the other side: certainly not delivered. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

export async function sendPart(channel: Channel, part: Part, ctx: SendContext): Promise<SendOutcome> {
  if (channel.kind === 'email') return sendMail(channel, part, ctx);
  const request = robotRequest(channel.kind, part, { url: channel.url, secret: channel.secret, ...ctx });
  let status: number;
  let text: string;
  try {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(ctx.timeoutMs),
      redirect: 'error',
    });
    status = res.status;
    text = await res.text();
  } catch (error) {
    const code = errorCode(error);
    // Never the error's message: it may quote the url, whose query is the robot's key.
    if (code && NOT_SENT.has(code)) return { result: 'refused', answer: `no connection (${code})` };
    return { result: 'unknown', answer: `no answer (${code ?? (error as Error).name})` };
  }
  const answer = readAnswer(channel.kind, status, text);
  if (answer.ok) return { result: 'delivered', answer: answer.summary };
  return { result: answer.rateLimited ? 'rate_limited' : 'refused', answer: answer.summary };
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; name?: string; cause?: { code?: string; name?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'timeout';
  return e.cause?.code ?? e.code ?? e.cause?.name;
}
