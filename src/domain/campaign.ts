/**
 * A campaign (专项): the crisis as a whole, weeks long. Plans belong to one, in sequence or
 * overlapping; what a person stood in any of them counts in every other one's rules across
 * its edges, and fairness is judged on the load each person carried since the campaign began
 * (or over its last `windowDays`), against what they offered over the same time.
 */
import { z } from 'zod';
import { isLocalDate } from './time.js';

export const campaignSpecSchema = z
  .strictObject({
    start: z
      .string()
      .refine(isLocalDate, 'not a date YYYY-MM-DD')
      .describe('First local day of the campaign, YYYY-MM-DD; weekly caps count 7-day blocks from it'),
    windowDays: z
      .number()
      .int()
      .min(1)
      .max(366)
      .nullable()
      .default(null)
      .describe('Fairness counts the load of the last this many days before a plan (e.g. 28); null = since the campaign started'),
  })
  .describe('A campaign');

export type CampaignSpec = z.infer<typeof campaignSpecSchema>;
