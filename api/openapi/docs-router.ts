import { existsSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import type { Router } from 'express';
import { methodNotAllowed } from '../method-not-allowed';
import { openApiDocument } from './document';

const swaggerUiDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));

const docsPage = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sagaflow orders API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>
`;

const initScript = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;

/** GET /openapi.json and the Swagger UI page at GET /docs (assets from swagger-ui-dist, no CDN). */
export function docsRouter(): Router {
  const document = JSON.stringify(openApiDocument());
  // Fail at startup rather than on the first request if the package is incomplete.
  if (!existsSync(path.join(swaggerUiDir, 'swagger-ui-bundle.js'))) throw new Error('swagger-ui-dist is incomplete');
  const router = express.Router();
  const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
  router
    .route('/openapi.json')
    .get((_req, res) => {
      res.type('application/json').send(document);
    })
    .all(methodNotAllowed('GET'));
  router
    .route('/docs')
    .get((_req, res) => {
      res.setHeader('Content-Security-Policy', csp);
      res.type('html').send(docsPage);
    })
    .all(methodNotAllowed('GET'));
  router
    .route('/docs/init.js')
    .get((_req, res) => {
      res.type('application/javascript').send(initScript);
    })
    .all(methodNotAllowed('GET'));
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false, fallthrough: true, maxAge: '1h' }));
  return router;
}
