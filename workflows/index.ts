// The worker's workflow bundle entry point: every workflow type the worker serves is exported here.
export * from './hello';
export { orderFulfillment } from './order/workflow';
export { orderReturn } from './returns/workflow';
export { bulkOperation } from './operations/workflow';
