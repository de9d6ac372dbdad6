import { defineSearchAttributeKey } from '@temporalio/common';
import type { SearchAttributePair } from '@temporalio/common';

/**
 * Custom search attributes an order saga maintains, so operators can find and filter sagas in the Web UI
 * (e.g. `OrderStatus = "COMPENSATION_FAILED"`). They must be registered on the server (scripts/stack does).
 */
export const SEARCH_ATTRIBUTES = {
  OrderStatus: defineSearchAttributeKey('OrderStatus', 'KEYWORD'),
  CustomerId: defineSearchAttributeKey('CustomerId', 'KEYWORD'),
  SagaStep: defineSearchAttributeKey('SagaStep', 'KEYWORD'),
  OrderTotal: defineSearchAttributeKey('OrderTotal', 'INT'),
  /** The API tenant that owns the order (set at start, never changed): tenant-scoped listings filter on it. */
  TenantId: defineSearchAttributeKey('TenantId', 'KEYWORD'),
  /** The steps the saga is parked on for an operator (a compensation, or a step after the pivot); absent otherwise. */
  ParkedStep: defineSearchAttributeKey('ParkedStep', 'KEYWORD_LIST'),
  /** Why: the failure type each parked step failed with (a service's business code, or a Temporal failure kind). */
  ParkedReason: defineSearchAttributeKey('ParkedReason', 'KEYWORD_LIST'),
} as const;

/** `name=Type` pairs for `temporal server start-dev --search-attribute`. */
export const SEARCH_ATTRIBUTE_FLAGS = [
  'OrderStatus=Keyword',
  'CustomerId=Keyword',
  'SagaStep=Keyword',
  'OrderTotal=Int',
  'TenantId=Keyword',
  'ParkedStep=KeywordList',
  'ParkedReason=KeywordList',
];

/**
 * What an order saga (and a return of it) is started with (by the API, the bench, the tests): a saga whose input says
 * `publishMode: 'on-status-change'` takes these as already published and upserts nothing until its status changes.
 */
export function orderStartSearchAttributes(customerId: string | undefined, tenant?: string): SearchAttributePair[] {
  return [
    ...(customerId === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.CustomerId, value: customerId }]),
    { key: SEARCH_ATTRIBUTES.OrderStatus, value: 'RUNNING' },
    ...(tenant === undefined ? [] : [{ key: SEARCH_ATTRIBUTES.TenantId, value: tenant }]),
  ];
}
