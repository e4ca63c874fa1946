/**
 * The delivery log in the console (`/planner/deliveries`): every message to a work group,
 * webhook or mailbox, pending, retrying, sent or failed, with attempts and the robot's last
 * answer; the same data as `GET /api/v1/deliveries`. Channels are named by their label and
 * scope, never by url or secret (which no page or answer shows).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { PageDeps } from '../../http/page-port.js';
import { listChannels, type ChannelView } from '../../messaging/channels.js';
import { listDeliveries } from '../../messaging/outbox.js';
import { translator } from '../i18n.js';
import { pageContext, sendPage } from '../render.js';
import { localTime } from '../time-labels.js';
import { sessionOf } from './request-session.js';

const STATUSES = ['pending', 'sending', 'retrying', 'sent', 'failed'] as const;
const query = z.object({
  status: z.enum(STATUSES).optional().catch(undefined),
});
/** Newest messages shown; the API pages further (`limit` up to 1,000). */
const SHOWN = 200;
/** A robot's answer is shown up to this many characters. */
const ANSWER_CHARS = 300;

export function deliveryLogRoutes(deps: PageDeps): Router {
  const { models, config } = deps;
  const router = Router();
  router.get('/deliveries', async (req, res) => {
    const ctx = pageContext(req);
    const { status } = query.parse(req.query);
    const [docs, channels] = await Promise.all([listDeliveries(models, { status, limit: SHOWN }), listChannels(models)]);
    const byId = new Map(channels.map((c) => [c.id, c]));
    const at = (d: Date | string | null) => (d ? localTime(new Date(d), config.TIMEZONE) : '');
    sendPage(res, ctx, 'planner-deliveries', {
      title: ctx.t('deliveriesTitle'),
      csrf: sessionOf(req).csrf,
      status: status ?? '',
      statuses: STATUSES,
      items: docs.map((d) => ({
        id: d._id,
        channel: channelName(byId.get(d.channelId)) ?? ctx.t('channelRemoved'),
        event: d.event,
        title: d.parts[0]?.title ?? '',
        status: d.status,
        attempts: d.attempts,
        parts: `${d.partsSent}/${d.parts.length}`,
        answer: (d.lastAnswer ?? '').slice(0, ANSWER_CHARS),
        created: at(d.createdAt),
        sent: at(d.sentAt),
        next: d.status === 'sent' || d.status === 'failed' ? '' : at(d.nextAttemptAt),
      })),
    });
  });
  return router;
}

// A channel's scope reads in Chinese on either page, as the place names in it do.
const scopeWords = translator('zh');

/** `东村值守群 (wecom · 东村)`: the label a planner gave and where the channel reaches. */
function channelName(channel: ChannelView | undefined): string | undefined {
  if (!channel) return undefined;
  const scope = [...channel.villages, ...channel.towns].join(scopeWords('channelScopeSeparator')) || scopeWords('channelScopeAll');
  return `${channel.label || channel.target} (${channel.kind} · ${scope})`;
}
