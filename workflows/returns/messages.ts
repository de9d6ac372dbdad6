import { defineUpdate } from '@temporalio/workflow';
import type { SagaState } from '@sagaflow/saga';

// The returns saga answers the order saga's messages (workflows/order/messages.ts: sagaState, cancel, approve and
// the operators' Updates) and this one of its own.

export interface ParcelReceivedRequest {
  /** Who took the parcel in (the API: its key's name). */
  by: string;
  note?: string;
}
/**
 * The parcel is in: only while the saga waits for it (awaitParcel); completes once the saga has moved past the
 * parcel, with the state then (RUNNING, or later).
 */
export const parcelReceivedUpdate = defineUpdate<SagaState, [ParcelReceivedRequest]>('parcelReceived');
