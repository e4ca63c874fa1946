/**
 * Messages to work groups: the plain data every messaging module shares. Nothing here knows
 * HTTP, SMTP or the database.
 */

export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'feishu', 'webhook', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * What a channel can subscribe to:
 * - `shift_changed`: a publish moved someone's shifts (to the person's village or town group)
 * - `gap`: a place in the next 24 h is empty, or was filled again (village and town groups)
 * - `daily_report`: 一日一报 at DAILY_REPORT_AT (town groups, planners)
 * - `publish_summary`: a new version was published (planners)
 */
export const EVENT_KINDS = ['shift_changed', 'gap', 'daily_report', 'publish_summary'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A registered channel as the messaging modules use it (url and secret included). */
export interface Channel {
  id: string;
  kind: ChannelKind;
  url: string;
  secret: string | null;
  label: string;
  /** Villages whose messages it gets; empty with `towns` empty = the whole district. */
  villages: string[];
  towns: string[];
  events: EventKind[];
}

/** One paragraph of a message, with the mobiles it mentions (it is never split). */
export interface Block {
  text: string;
  mentions: string[];
}

/** A message before it is fitted to a channel. */
export interface Message {
  event: EventKind;
  /** Idempotency key: the same change gives the same key, so it is stored once. */
  key: string;
  title: string;
  blocks: Block[];
}

/** One POST (or mail) of a message after splitting to the channel's size limit. */
export interface Part {
  title: string;
  text: string;
  mentions: string[];
}

/** Where a message goes: channels whose scope covers a village (and its town). */
export interface Place {
  village?: string;
  town?: string;
}
