// The bench worker's workflow bundle: the real order saga, a quiet variant and the bare baseline, bundled once
// per run.
export { orderFulfillment } from '../../workflows/order/workflow';
export { bareOrder, bareOrderLocal, bareOrderPivot } from './bare';
export { handOrderLocal } from './hand';
export { orderFulfillmentQuiet } from './quiet';
