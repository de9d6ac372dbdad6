// The API's contract as zod schemas, by concern under api/schemas/: `registry.ts` (the registry every OpenAPI
// component schema comes from), `statuses.ts`, `requests.ts` (identifiers, bodies, query strings), `responses.ts`, `returns.ts`
// (an order's returns).
export * from './schemas/registry';
export * from './schemas/statuses';
export * from './schemas/requests';
export * from './schemas/responses';
export * from './schemas/returns';
export * from './schemas/operations';
