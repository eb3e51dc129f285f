import type { Request, Response } from 'express';
import type { WeComCrypto } from './crypto.ts';

/**
 * Query parameters as WeCom sends them. WeCom does not always percent-encode base64, so a raw '+'
 * must stay '+' (the usual form decoding would turn it into a space and break the signature).
 */
export function parseRawQuery(url: string): Record<string, string> {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const values: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    try {
      values[decodeURIComponent(key)] = decodeURIComponent(value);
    } catch {
      values[key] = value;
    }
  }
  return values;
}

/**
 * WeCom's URL verification (GET with msg_signature, timestamp, nonce, echostr): answer the
 * decrypted echostr, or let `reject` answer.
 */
export function verificationRoute(crypto: WeComCrypto, reject: (res: Response, error: unknown) => void) {
  return (req: Request, res: Response) => {
    const query = parseRawQuery(req.originalUrl);
    try {
      res.type('text/plain').send(crypto.open(query, query.echostr));
    } catch (error) {
      reject(res, error);
    }
  };
}
