/**
 * Email to planners over SMTP (nodemailer). One transport per SMTP_URL, reused. SMTP gives a
 * definite answer per message (250 or an error code), so only a dropped connection after the
 * data was sent leaves the outcome unknown.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Channel, Part } from './types.js';
import { mailRecipients } from './channels.js';
import { partText } from './formats.js';
import type { SendOutcome } from './send.js';

export interface MailSettings {
  smtpUrl?: string;
  from: string;
}

const transports = new Map<string, Transporter>();

export async function sendMail(
  channel: Channel,
  part: Part,
  ctx: { mail: MailSettings; resent: boolean; key: string; partIndex: number; timeoutMs: number },
): Promise<SendOutcome> {
  const { smtpUrl, from } = ctx.mail;
  if (!smtpUrl) return { result: 'refused', answer: 'SMTP_URL is not set: email channels cannot send' };
  let transport = transports.get(smtpUrl);
  if (!transport) {
    // An smtp:// url with the timeouts as query options (nodemailer reads them from the url).
    transport = nodemailer.createTransport(withTimeouts(smtpUrl, ctx.timeoutMs));
    transports.set(smtpUrl, transport);
  }
  try {
    const info = await transport.sendMail({
      from,
      to: mailRecipients(channel.url),
      subject: part.title,
      text: partText('email', part, ctx.resent),
      // Lets a mail system drop a second copy after a re-send.
      messageId: `<${ctx.key.replace(/[^A-Za-z0-9._-]/g, '_')}.${ctx.partIndex + 1}@gate-duty>`,
    });
    return { result: 'delivered', answer: String(info.response ?? 'accepted').slice(0, 300) };
  } catch (error) {
    const e = error as { code?: string; responseCode?: number; response?: string };
    if (e.responseCode) return { result: 'refused', answer: `SMTP ${e.responseCode} ${String(e.response ?? '').slice(0, 200)}` };
    // Refused connections never carried the mail; anything else may have.
    if (e.code === 'ECONNECTION' || e.code === 'EDNS') return { result: 'refused', answer: `no connection (${e.code})` };
    return { result: 'unknown', answer: `no answer (${e.code ?? 'error'})` };
  }
}

function withTimeouts(smtpUrl: string, timeoutMs: number): string {
  const url = new URL(smtpUrl);
  for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) if (!url.searchParams.has(name)) url.searchParams.set(name, String(timeoutMs));
  return url.toString();
}
