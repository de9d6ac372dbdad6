import type { RequestHandler } from 'express';
import { ApiError } from './errors';

/** The answer to a method a known path does not take: 405 with `Allow` naming the ones it does. */
export const methodNotAllowed =
  (...allowed: string[]): RequestHandler =>
  (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not allowed here; use ${allowed.join(' or ')}`));
  };
