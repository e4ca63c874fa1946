/** Thread side of parseInThread: parse each upload it is sent, one at a time, and answer. */
import { parentPort } from 'node:worker_threads';
import { AppError } from '../errors.js';
import { parseAvailabilityUpload } from './availability.js';
import { parseCadresUpload } from './cadres.js';
import { parseGatesUpload } from './gates.js';
import type { ParseReply, ParseRequest } from './parse-thread.js';

const PARSERS = { gates: parseGatesUpload, cadres: parseCadresUpload, availability: parseAvailabilityUpload };

parentPort?.on('message', (request: ParseRequest) => {
  void answer(request).then((reply) => parentPort?.postMessage(reply));
});

async function answer({ entity, body, contentType, ctx, limits }: ParseRequest): Promise<ParseReply> {
  try {
    const file = { body: Buffer.from(body.buffer, body.byteOffset, body.byteLength), contentType };
    return { type: 'result', result: await PARSERS[entity](file, ctx, limits) };
  } catch (error) {
    // Expected refusals (415, 413) cross the thread as data and are thrown again on the other side.
    if (error instanceof AppError) return { type: 'refused', code: error.code, message: error.message, details: error.details };
    return { type: 'error', message: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
  }
}
