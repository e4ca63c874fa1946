/** iCalendar feeds of a published roster: per person and per village. Pure: no HTTP, no DB. */
export { eventUid, villageEventUid } from './uid.js';
export { nextEventStates, eventFingerprint, type EventState, type FeedEventContent } from './event-state.js';
export { renderCalendar, type FeedCalendarOptions } from './calendar.js';
export { renderCadreFeed, cadreFeedEvents, partnerNames, type CadreFeedInput, type CadreFeedContentInput } from './cadre-feed.js';
export { renderVillageFeed, villageFeedEvents, type VillageFeedInput, type VillageFeedContentInput } from './village-feed.js';
export { feedEtag, feedLastModified, nextFeedState, webcalUrl, type FeedState } from './feed-meta.js';
export { GAP_REASON_LABELS } from './labels.js';
