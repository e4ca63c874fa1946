/**
 * The channel registry: which group robots (and webhooks, and planners' mailboxes) get which
 * messages. A channel's url and secret are write-only: stored because posting and signing
 * need them, answered by no API and written to no log (views carry the host alone).
 */
import { randomBytes } from 'node:crypto';
import type { Models } from '../db/models.js';
import { AppError } from '../errors.js';
import { EVENT_KINDS, type Channel, type ChannelKind, type EventKind, type Place } from './types.js';

export interface ChannelInput {
  kind: ChannelKind;
  url: string;
  secret?: string;
  label?: string;
  villages?: string[];
  towns?: string[];
  events?: EventKind[];
}

/** A channel as answers show it: no url, no secret. */
export interface ChannelView {
  id: string;
  kind: ChannelKind;
  label: string;
  /** Host of the url (or the number of mail recipients), to tell channels apart. */
  target: string;
  signed: boolean;
  villages: string[];
  towns: string[];
  events: EventKind[];
  createdAt: Date;
}

/** What a channel gets when `events` is not given, by its scope. */
export function defaultEvents(scope: { villages: string[]; towns: string[] }): EventKind[] {
  if (scope.villages.length) return ['shift_changed', 'gap'];
  if (scope.towns.length) return ['shift_changed', 'gap', 'daily_report'];
  return ['publish_summary', 'daily_report'];
}

export async function createChannel(models: Models, input: ChannelInput): Promise<ChannelView> {
  const villages = [...new Set(input.villages ?? [])];
  const towns = [...new Set(input.towns ?? [])];
  if (villages.length && towns.length) throw new AppError('validation_failed', 'a channel serves villages or towns, not both: register one per group');
  checkTarget(input.kind, input.url);
  if (input.kind === 'dingtalk' && !input.secret) throw new AppError('validation_failed', 'a DingTalk robot needs its signing secret (加签, starts with SEC)');
  await checkPlacesExist(models, villages, towns);
  const events = input.events?.length ? [...new Set(input.events)].filter((e) => EVENT_KINDS.includes(e)) : defaultEvents({ villages, towns });
  const id = `ch_${randomBytes(6).toString('hex')}`;
  await models.Channel.create({ _id: id, kind: input.kind, url: input.url, secret: input.secret ?? null, label: input.label ?? '', villages, towns, events });
  return viewOf((await models.Channel.findOne({ _id: id }).lean<ChannelDoc>())!);
}

export async function listChannels(models: Models): Promise<ChannelView[]> {
  const docs = await models.Channel.find({}).sort({ createdAt: 1 }).lean<ChannelDoc[]>();
  return docs.map(viewOf);
}

/** Removes a channel; its unsent messages fail with "channel removed" at their next turn. */
export async function deleteChannel(models: Models, id: string): Promise<void> {
  const { deletedCount } = await models.Channel.deleteOne({ _id: id });
  if (!deletedCount) throw new AppError('not_found', `no channel "${id}"`);
}

/** Every channel with its url and secret: for the messaging modules only. */
export async function loadChannels(models: Models): Promise<Channel[]> {
  const docs = await models.Channel.find({}).lean<ChannelDoc[]>();
  return docs.map(toChannel);
}

export async function loadChannel(models: Models, id: string): Promise<Channel | null> {
  const doc = await models.Channel.findOne({ _id: id }).lean<ChannelDoc>();
  return doc ? toChannel(doc) : null;
}

/**
 * Channels that take `event` for a place: a village channel for its villages, a town
 * channel for its towns, a channel of neither scope for the whole district. Without a place
 * (planners' messages), every channel that took the event.
 */
export function channelsFor(channels: readonly Channel[], event: EventKind, place?: Place): Channel[] {
  return channels.filter((c) => {
    if (!c.events.includes(event)) return false;
    if (!place) return true;
    if (c.villages.length) return !!place.village && c.villages.includes(place.village);
    if (c.towns.length) return !!place.town && c.towns.includes(place.town);
    return true;
  });
}

/** A channel as stored: keyed by `_id`, with its creation time. */
type ChannelDoc = Omit<Channel, 'id'> & { _id: string; createdAt: Date };

function toChannel(doc: ChannelDoc): Channel {
  return {
    id: doc._id,
    kind: doc.kind,
    url: doc.url,
    secret: doc.secret ?? null,
    label: doc.label ?? '',
    villages: doc.villages ?? [],
    towns: doc.towns ?? [],
    events: doc.events ?? [],
  };
}

function viewOf(doc: ChannelDoc): ChannelView {
  return {
    id: doc._id,
    kind: doc.kind,
    label: doc.label ?? '',
    target: targetOf(doc.kind, doc.url),
    signed: !!doc.secret,
    villages: doc.villages ?? [],
    towns: doc.towns ?? [],
    events: doc.events ?? [],
    createdAt: doc.createdAt,
  };
}

/** The part of a url that says where it goes without giving its key: the host. */
function targetOf(kind: ChannelKind, url: string): string {
  if (kind === 'email') return `${mailRecipients(url).length} recipient(s)`;
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** `mailto:a@x.cn,b@y.cn` → the addresses. */
export function mailRecipients(url: string): string[] {
  return url
    .replace(/^mailto:/i, '')
    .split(/[,;]/)
    .map((a) => decodeURIComponent(a.trim()))
    .filter(Boolean);
}

function checkTarget(kind: ChannelKind, url: string): void {
  if (kind === 'email') {
    const addresses = mailRecipients(url);
    if (!/^mailto:/i.test(url) || !addresses.length || addresses.some((a) => !/^[^@\s]+@[^@\s]+$/.test(a))) {
      throw new AppError(
        'validation_failed',
        'an email channel’s url is mailto: with one or more addresses, e.g. mailto:planner@town.gov.cn,office@town.gov.cn',
      );
    }
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new AppError('validation_failed', 'url is not a URL; paste the robot’s webhook address as the group settings show it');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppError('validation_failed', 'url must be http(s)');
}

async function checkPlacesExist(models: Models, villages: string[], towns: string[]): Promise<void> {
  if (!villages.length && !towns.length) return;
  const gates = await models.Gate.find(villages.length ? { village: { $in: villages } } : { town: { $in: towns } }, { village: 1, town: 1 }).lean<
    { village: string; town: string }[]
  >();
  const known = new Set(gates.map((g) => (villages.length ? g.village : g.town)));
  const unknown = (villages.length ? villages : towns).filter((p) => !known.has(p));
  if (unknown.length)
    throw new AppError('validation_failed', `unknown ${villages.length ? 'village(s)' : 'town(s)'}: ${unknown.join(', ')} (upload their gates first)`);
}
