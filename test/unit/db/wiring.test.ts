/**
 * The ports the composition fills in (src/wiring.ts): the publish reaches messaging only as its
 * participant, per database; models built without the wiring refuse to publish rather than
 * publish without the messages.
 */
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { registerModels } from '../../../src/db/models.js';
import { publishMessages } from '../../../src/messaging/outbox.js';
import { publishParticipantsOf } from '../../../src/roster/publish-participants.js';
import { wireModels } from '../../../src/wiring.js';

describe('wiring', () => {
  it('models of a database nobody wired have no publish participants, and say how to wire them', () => {
    const models = registerModels(mongoose.createConnection());
    expect(() => publishParticipantsOf(models)).toThrow(/no publish participants wired.*wireModels/);
  });

  it('wireModels hands the publish messaging, and every models object of that database shares it', () => {
    const connection = mongoose.createConnection();
    wireModels(connection);
    expect(publishParticipantsOf(registerModels(connection))).toEqual([publishMessages]);
    expect(() => publishParticipantsOf(registerModels(mongoose.createConnection()))).toThrow();
  });
});
