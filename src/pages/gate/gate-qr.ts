/**
 * A gate's check-in link and its QR code, for posters and duty sheets. Printing one issues
 * the gate's secret if it has none yet (src/ground/gate-keys.ts), and from then on the
 * gate's shifts count no-shows.
 */
import type { Request } from 'express';
import QRCode from 'qrcode';
import type { Config } from '../../config.js';
import type { Models } from '../../db/models.js';
import { gateKeyOf } from '../../ground/gate-keys.js';
import { GATE_PREFIX } from '../../http/secret-urls.js';

export interface GateQr {
  url: string;
  /** `data:image/png;base64,…` */
  qr: string;
}

export async function gateQr(models: Models, config: Config, req: Request, gateId: string, now: Date, width = 480): Promise<GateQr> {
  const { secret } = await gateKeyOf(models, gateId, now);
  const url = `${config.PUBLIC_BASE_URL ?? `${req.protocol}://${req.get('host')}`}${GATE_PREFIX}/${secret}`;
  return { url, qr: await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width }) };
}
