import { headers, jsonBody } from './parts';
import type { Json } from './parts';

/** Health, readiness and the documentation itself. */
export function operationPaths(): Json {
  return {
    '/health': {
      get: {
        tags: ['operations'],
        operationId: 'health',
        summary: 'Liveness',
        security: [],
        responses: { 200: { description: 'The process answers.', content: jsonBody('Health') } },
      },
    },
    '/ready': {
      get: {
        tags: ['operations'],
        operationId: 'ready',
        summary: "Readiness: Temporal answers (and the API's own saga worker runs, with API_SAGA_WORKER=on)",
        security: [],
        responses: {
          200: { description: 'Temporal answers.', content: jsonBody('Ready') },
          503: {
            description: "Temporal does not answer, or the API's own saga worker does not run yet.",
            headers: { 'Retry-After': headers.retryAfter },
            content: jsonBody('Ready'),
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        tags: ['operations'],
        operationId: 'openapi',
        summary: 'This document',
        security: [],
        responses: { 200: { description: 'The OpenAPI 3.1 document.', content: { 'application/json': {} } } },
      },
    },
    '/docs': {
      get: {
        tags: ['operations'],
        operationId: 'docs',
        summary: 'Interactive documentation (Swagger UI)',
        security: [],
        responses: { 200: { description: 'An HTML page.', content: { 'text/html': {} } } },
      },
    },
  };
}
