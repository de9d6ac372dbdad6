import { z } from 'zod';

/**
 * The API's contract as zod schemas: request bodies and queries are validated with them, and the OpenAPI
 * document (api/openapi/) is generated from them, so the documentation cannot drift from the checks.
 * Every schema registered here becomes a named component schema. An order's fields are built from the services'
 * own schemas (services/shared, services/payment), so an order the API accepts is one the services accept.
 */
export const schemaRegistry = z.registry<{ id: string; description?: string }>();

export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  schemaRegistry.add(schema, { id, description });
  return schema;
}
