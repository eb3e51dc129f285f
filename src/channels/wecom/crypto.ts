import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.ts';

/** A callback that failed verification: answered 401, and nothing else happens. */
export class CallbackRejected extends AppError {
  constructor(message: string) {
    super('callback_rejected', message);
  }
}

// WeCom pads to a multiple of 32 bytes (PKCS#7 with a 32-byte block), not AES's 16.
const BLOCK = 32;

/**
 * WeCom's callback encryption: AES-256-CBC with the key from EncodingAESKey and the IV its first
 * 16 bytes; plaintext = 16 random bytes, 4-byte big-endian length, message, receive id.
 */
export class WeComCrypto {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  constructor(
    private readonly token: string,
    encodingAesKey: string,
    /** The corp id for a self-built app, '' for the AI bot. */
    private readonly receiveId: string,
  ) {
    if (encodingAesKey.length !== 43) throw new Error(`EncodingAESKey must be 43 characters (it is ${encodingAesKey.length})`);
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) throw new Error('EncodingAESKey is not valid base64');
    this.iv = this.key.subarray(0, 16);
  }

  signature(timestamp: string, nonce: string, encrypted: string): string {
    return createHash('sha1').update([this.token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
  }

  /** Throws CallbackRejected unless the signature matches, compared in constant time. */
  verify(signature: string | undefined, timestamp: string | undefined, nonce: string | undefined, encrypted: string | undefined): void {
    if (!signature || !timestamp || !nonce || !encrypted) throw new CallbackRejected('missing msg_signature, timestamp, nonce or ciphertext');
    const expected = Buffer.from(this.signature(timestamp, nonce, encrypted), 'utf8');
    const given = Buffer.from(signature.toLowerCase(), 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new CallbackRejected('signature mismatch');
  }

  decrypt(encrypted: string): string {
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
    } catch {
      throw new CallbackRejected('ciphertext cannot be decrypted');
    }
    const pad = plain[plain.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || plain.length < 20 + pad) throw new CallbackRejected('ciphertext has invalid padding');
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (length > content.length - 4) throw new CallbackRejected('ciphertext has an invalid length');
    const message = content.subarray(4, 4 + length).toString('utf8');
    const receiveId = content.subarray(4 + length).toString('utf8');
    if (receiveId !== this.receiveId) throw new CallbackRejected(`receive id "${receiveId}" is not this application's`);
    return message;
  }

  encrypt(message: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const plain = Buffer.concat([random, length, body, Buffer.from(this.receiveId, 'utf8')]);
    const pad = BLOCK - (plain.length % BLOCK);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
  }

  /** Verifies and decrypts a callback's ciphertext. */
  open(query: { msg_signature?: string; timestamp?: string; nonce?: string }, encrypted: string | undefined): string {
    this.verify(query.msg_signature, query.timestamp, query.nonce, encrypted);
    return this.decrypt(encrypted!);
  }
}
