import { parcelReceivedUpdate } from '../../workflows/returns/messages';
import { ParcelReceivedSchema } from '../schemas';
import { action, by } from '../orders/actions';

/** The returns saga's own action: the warehouse took the parcel in (the others are the order's, see app.ts). */
export const parcelReceived = action({
  action: 'parcel-received',
  body: ParcelReceivedSchema,
  update: parcelReceivedUpdate,
  args: (body, req) => ({ by: by(req), ...(body.note ? { note: body.note } : {}) }),
  refused: 'PARCEL_REFUSED',
});
