// The bench worker's workflow bundle: the real order saga and the bare baseline, bundled once per run.
export { orderFulfillment } from '../../workflows/order/workflow';
export { bareOrder } from './bare';
