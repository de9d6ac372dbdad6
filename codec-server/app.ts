import express from 'express';
import type { Express, Request, Response } from 'express';
import { EncryptionCodec } from '../lib/codec/encryption-codec';
import { TokenBuckets } from '../lib/http/token-buckets';
import type { Logger } from '../lib/logger';
import { SESSION_COOKIE, caller, cookieValue, tokenName } from './auth';
import type { CodecServerConfig } from './config';
import { corsFor } from './cors';
import { loginPage } from './login-page';
import { convertPayloadsJson } from './payloads';
import { Sessions } from './session';

export interface CodecAppDeps {
  config: CodecServerConfig;
  logger: Logger;
}

/**
 * The codec server (https://docs.temporal.io/production-deployment/data-encryption): the Temporal Web UI and CLI
 * send it encrypted payloads to read (/decode) or payloads to send (/encode). Only signed-in operators get an
 * answer, and each call is logged with who made it, since decoding shows customer data.
 */
export function createCodecApp({ config, logger }: CodecAppDeps): Express {
  const app = express();
  const codec = new EncryptionCodec(config.keys);
  const sessions = new Sessions(config.CODEC_SESSION_HOURS * 3_600_000);
  // Guessing secrets is limited per address; a caller without any (the UI before sign-in) is not guessing.
  const failures = new TokenBuckets(config.CODEC_AUTH_FAILURES_PER_MINUTE);
  // The caller's address (req.ip): behind the operators' proxy, the client's, as CODEC_TRUST_PROXY says.
  const limited = (req: Request, res: Response): boolean => {
    const wait = failures.retryAfter(req.ip ?? '');
    if (wait > 0) res.set('Retry-After', String(wait)).status(429).json({ error: 'too many failed sign-ins' });
    return wait > 0;
  };
  const failed = (req: Request) => failures.take(req.ip ?? '');
  // A form posted from another site (login CSRF: signing an operator in as someone else, or out) is refused; the
  // login page is served here, so a browser's own posts come from this origin. Tools without a browser send none.
  const sameOrigin = (req: Request, res: Response): boolean => {
    const origin = req.get('origin');
    if (origin === undefined || origin === `${req.protocol}://${req.get('host')}`) return true;
    res.status(403).type('text').send('cross-site request refused');
    return false;
  };
  app.disable('x-powered-by');
  app.set('trust proxy', config.CODEC_TRUST_PROXY);
  app.use(corsFor(config.CODEC_CORS_ORIGINS));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/login', (req, res) => {
    res.type('html').send(loginPage({ signedInAs: caller(req, config.CODEC_TOKENS, sessions) }));
  });

  app.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req: Request, res: Response) => {
    if (!sameOrigin(req, res) || limited(req, res)) return;
    const secret = typeof req.body?.token === 'string' ? (req.body.token as string).trim() : '';
    const name = secret ? tokenName(config.CODEC_TOKENS, secret) : undefined;
    if (!name) {
      failed(req);
      logger.warn({ ip: req.ip }, 'codec login refused');
      res
        .status(401)
        .type('html')
        .send(loginPage({ error: 'Unknown token.' }));
      return;
    }
    const session = sessions.issue(name);
    res.cookie(SESSION_COOKIE, session.value, {
      httpOnly: true,
      // Same-site: the UI and the codec server share a host (ports do not make another site).
      sameSite: 'strict',
      // Behind a TLS-terminating proxy req.secure comes from its X-Forwarded-Proto (CODEC_TRUST_PROXY).
      secure: req.secure,
      maxAge: session.maxAgeSeconds * 1000,
      path: '/',
    });
    logger.info({ by: name }, 'codec login');
    res.type('html').send(loginPage({ signedInAs: name }));
  });

  app.post('/logout', (req, res) => {
    if (!sameOrigin(req, res)) return;
    sessions.revoke(cookieValue(req, SESSION_COOKIE));
    res.clearCookie(SESSION_COOKIE, { path: '/' }).status(204).end();
  });

  // The protocol: only the last path segment matters, so the server can be mounted under any prefix. The caller is
  // known before the body (up to 4 MB) is read: nobody else gets a byte of it parsed.
  const authenticated = (req: Request, res: Response, next: () => void) => {
    if (limited(req, res)) return;
    const who = caller(req, config.CODEC_TOKENS, sessions);
    if (!who) {
      if (req.get('authorization')) failed(req);
      res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'sign in at /login or send a bearer token' });
      return;
    }
    res.locals.who = who;
    next();
  };
  app.post(/\/(encode|decode)$/, authenticated, express.json({ limit: '4mb' }), async (req: Request, res: Response) => {
    const direction = req.path.endsWith('/encode') ? 'encode' : 'decode';
    const who = res.locals.who as string;
    const namespace = req.get('x-namespace') ?? config.CODEC_NAMESPACES[0]!;
    if (!config.CODEC_NAMESPACES.includes(namespace)) {
      res.status(403).json({ error: `namespace ${namespace} is not served here` });
      return;
    }
    try {
      const converted = await convertPayloadsJson(req.body, codec, direction);
      if (converted === undefined) {
        res.status(400).json({ error: 'expected a Payloads message in protobuf JSON: {"payloads": [...]}' });
        return;
      }
      const count = (req.body as { payloads: unknown[] }).payloads.length;
      logger.info({ by: who, namespace, direction, payloads: count }, 'codec request');
      res.json(converted);
    } catch (err) {
      logger.warn({ by: who, namespace, direction, err: (err as Error).message }, 'codec request failed');
      res.status(422).json({ error: (err as Error).message });
    }
  });

  return app;
}
