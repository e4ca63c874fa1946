/**
 * Channels (work-group robots, webhooks, planners' mailboxes) and the delivery log; planners
 * only. A channel's url and secret go in once and never come out: no answer carries them and
 * request bodies are not logged.
 */
import { Router } from 'express';
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import type { Models } from '../../db/models.js';
import { isoWithOffset } from '../../domain/time.js';
import { createChannel, deleteChannel, listChannels, type ChannelView } from '../../messaging/channels.js';
import { listDeliveries } from '../../messaging/outbox.js';
import { CHANNEL_KINDS, EVENT_KINDS } from '../../messaging/types.js';
import { requireRole } from '../auth.js';
import { apiResponses, instantOutSchema, jsonBody, jsonResponse, nullableInstantSchema } from '../openapi.js';
import { idParamSchema, sendJson } from '../schemas.js';

const kindSchema = z
  .enum(CHANNEL_KINDS)
  .describe(
    'wecom (企业微信群机器人), dingtalk (钉钉自定义机器人, 加签), feishu (飞书自定义机器人, 签名校验), webhook (any URL, signed JSON), email (planners, over SMTP_URL)',
  );
const eventSchema = z.enum(EVENT_KINDS);

const channelRequestSchema = z
  .strictObject({
    kind: kindSchema,
    url: z.string().min(1).max(2000).describe('The robot’s webhook address as the group shows it; for email, mailto:a@x.cn,b@y.cn. Never shown again.'),
    secret: z.string().min(1).max(500).optional().describe('Signing secret (DingTalk SEC…, Feishu, webhook HMAC key). Never shown again.'),
    label: z.string().max(200).optional().describe('For people, e.g. 东村值守群'),
    villages: z.array(z.string().min(1)).max(500).optional().describe('The villages whose messages this group gets'),
    towns: z.array(z.string().min(1)).max(100).optional().describe('The towns whose messages this group gets; neither villages nor towns = the whole district'),
    events: z
      .array(eventSchema)
      .max(EVENT_KINDS.length)
      .optional()
      .describe('Default by scope: village → shift_changed, gap; town → shift_changed, gap, daily_report; district → publish_summary, daily_report'),
  })
  .openapi('ChannelRequest');

const channelSchema = z
  .strictObject({
    id: z.string(),
    kind: kindSchema,
    label: z.string(),
    target: z.string().describe('Host of the url (or how many mail recipients): the url itself is never shown'),
    signed: z.boolean().describe('A secret was given'),
    villages: z.array(z.string()),
    towns: z.array(z.string()),
    events: z.array(eventSchema),
    createdAt: instantOutSchema,
  })
  .openapi('Channel');
const channelListSchema = z.strictObject({ items: z.array(channelSchema) }).openapi('ChannelList');

const deliveryStatusSchema = z.enum(['pending', 'sending', 'retrying', 'sent', 'failed']);
const deliverySchema = z
  .strictObject({
    id: z.string().describe('<generation>:<idempotency key>'),
    channelId: z.string(),
    event: eventSchema,
    title: z.string(),
    status: deliveryStatusSchema,
    parts: z.number().int().describe('Posts the message was split into'),
    partsSent: z.number().int(),
    attempts: z.number().int().describe('Failed attempts so far'),
    nextAttemptAt: nullableInstantSchema.describe('When it is tried next; null once sent or failed'),
    lastAnswer: z.string().nullable().describe('The robot’s last answer (HTTP status and body)'),
    createdAt: instantOutSchema,
    sentAt: nullableInstantSchema,
  })
  .openapi('Delivery');
const deliveryListSchema = z.strictObject({ items: z.array(deliverySchema).describe('Newest first') }).openapi('DeliveryList');
const deliveryQuerySchema = z.strictObject({
  status: deliveryStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export function channelRoutes(models: Models, timeZone: string, registry: OpenAPIRegistry): Router {
  const router = Router();
  const planner = requireRole('planner');
  const at = (d: Date | string) => isoWithOffset(new Date(d), timeZone);
  const view = (c: ChannelView) => ({ ...c, createdAt: at(c.createdAt) });

  router.post('/channels', planner, async (req, res) => {
    sendJson(res, 201, channelSchema, view(await createChannel(models, channelRequestSchema.parse(req.body))));
  });
  router.get('/channels', planner, async (_req, res) => {
    sendJson(res, 200, channelListSchema, { items: (await listChannels(models)).map(view) });
  });
  router.delete('/channels/:id', planner, async (req, res) => {
    await deleteChannel(models, idParamSchema.parse(req.params).id);
    res.status(204).end();
  });
  router.get('/deliveries', planner, async (req, res) => {
    const docs = await listDeliveries(models, deliveryQuerySchema.parse(req.query));
    const items = docs.map((d) => ({
      id: d._id,
      channelId: d.channelId,
      event: d.event as z.infer<typeof eventSchema>,
      title: d.parts[0]?.title ?? '',
      status: d.status,
      parts: d.parts.length,
      partsSent: d.partsSent,
      attempts: d.attempts,
      nextAttemptAt: d.status === 'sent' || d.status === 'failed' ? null : at(d.nextAttemptAt),
      lastAnswer: d.lastAnswer ?? null,
      createdAt: at(d.createdAt),
      sentAt: d.sentAt ? at(d.sentAt) : null,
    }));
    sendJson(res, 200, deliveryListSchema, { items });
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/channels',
    operationId: 'createChannel',
    tags: ['channels'],
    summary: 'Register a work-group robot, webhook or planners’ mailbox (planner); url and secret are never shown again',
    request: jsonBody(channelRequestSchema),
    responses: apiResponses({ 201: jsonResponse('The channel, without url or secret', channelSchema) }, 400, 403, 413, 415, 422),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/channels',
    operationId: 'listChannels',
    tags: ['channels'],
    summary: 'Registered channels, without urls or secrets (planner)',
    responses: apiResponses({ 200: jsonResponse('Channels, oldest first', channelListSchema) }, 403),
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/channels/{id}',
    operationId: 'deleteChannel',
    tags: ['channels'],
    summary: 'Remove a channel; its unsent messages are marked failed (planner)',
    request: { params: z.strictObject({ id: z.string() }) },
    responses: apiResponses({ 204: { description: 'Removed' } }, 403, 404),
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/deliveries',
    operationId: 'listDeliveries',
    tags: ['channels'],
    summary: 'The delivery log: messages pending, retrying, sent and failed, with the robot’s answer (planner)',
    request: { query: deliveryQuerySchema },
    responses: apiResponses({ 200: jsonResponse('Messages', deliveryListSchema) }, 400, 403),
  });
  return router;
}
