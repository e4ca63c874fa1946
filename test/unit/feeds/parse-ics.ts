/** Read a feed back with a real iCalendar parser (ical.js), as a calendar client would. */
import ICAL from 'ical.js';

export interface ParsedEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  dtstamp: Date;
  lastModified: Date;
  created: Date;
  summary: string;
  location: string;
  description: string;
}

export interface ParsedFeed {
  calendar: Record<string, string>;
  events: ParsedEvent[];
}

export function parseFeed(ics: string): ParsedFeed {
  const root = new ICAL.Component(ICAL.parse(ics));
  const calendar: Record<string, string> = {};
  for (const p of root.getAllProperties()) calendar[p.name] = String(p.getFirstValue());
  const events = root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const time = (name: string): Date => (vevent.getFirstPropertyValue(name) as ICAL.Time).toJSDate();
    return {
      uid: event.uid,
      sequence: event.sequence,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      dtstamp: time('dtstamp'),
      lastModified: time('last-modified'),
      created: time('created'),
      summary: event.summary,
      location: event.location,
      description: event.description,
    };
  });
  return { calendar, events };
}
