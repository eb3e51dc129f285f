import { decrypt as wecomDecrypt, encrypt as wecomEncrypt, getSignature } from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import { WECOM_SAMPLE } from '../fixtures/wecom-sample.ts';
import { CallbackRejected, WeComCrypto } from '../../src/channels/wecom/crypto.ts';

const SAMPLE = WECOM_SAMPLE;

describe('WeCom callback crypto', () => {
  const crypto = new WeComCrypto(SAMPLE.token, SAMPLE.aesKey, SAMPLE.corpId);

  it('verifies and decrypts the published sample', () => {
    expect(crypto.open({ msg_signature: SAMPLE.signature, timestamp: SAMPLE.timestamp, nonce: SAMPLE.nonce }, SAMPLE.echostr)).toBe(SAMPLE.plain);
  });

  it('interoperates with @wecom/crypto in both directions', () => {
    const message = '<xml><Content><![CDATA[医药港宿舍热水器坏了]]></Content></xml>';
    expect(crypto.decrypt(wecomEncrypt(SAMPLE.aesKey, message, SAMPLE.corpId))).toBe(message);
    expect(wecomDecrypt(SAMPLE.aesKey, crypto.encrypt(message)).message).toBe(message);
    expect(crypto.signature('1', '2', 'abc')).toBe(getSignature(SAMPLE.token, '1', '2', 'abc'));
  });

  it('pads to 32-byte blocks, not 16', () => {
    for (const length of [1, 7, 12, 13, 28, 29, 44, 60]) {
      const bytes = Buffer.from(crypto.encrypt('x'.repeat(length)), 'base64');
      const plainLength = 16 + 4 + length + SAMPLE.corpId.length;
      expect(bytes.length % 32).toBe(0);
      expect(bytes.length).toBe(plainLength + (32 - (plainLength % 32)));
    }
    // A message whose plaintext is exactly a multiple of 32 gets a whole block of padding.
    const exact = 64 - 16 - 4 - SAMPLE.corpId.length;
    expect(Buffer.from(crypto.encrypt('y'.repeat(exact)), 'base64').length).toBe(96);
    expect(crypto.decrypt(crypto.encrypt('y'.repeat(exact)))).toBe('y'.repeat(exact));
  });

  it('rejects a bad signature, a foreign receive id and garbage', () => {
    expect(() => crypto.open({ msg_signature: SAMPLE.signature.replace('0', '1'), timestamp: SAMPLE.timestamp, nonce: SAMPLE.nonce }, SAMPLE.echostr)).toThrow(CallbackRejected);
    expect(() => crypto.open({ timestamp: SAMPLE.timestamp, nonce: SAMPLE.nonce }, SAMPLE.echostr)).toThrow(/missing/);
    const forAnother = wecomEncrypt(SAMPLE.aesKey, 'hello', 'wwanothercorp');
    expect(() => crypto.decrypt(forAnother)).toThrow(/receive id "wwanothercorp"/);
    expect(() => new WeComCrypto(SAMPLE.token, SAMPLE.aesKey, '').decrypt(crypto.encrypt('x'))).toThrow(/receive id/);
    expect(() => crypto.decrypt('bm90IGEgY2lwaGVydGV4dA==')).toThrow(CallbackRejected);
    expect(() => new WeComCrypto('t', 'short', '')).toThrow(/43 characters \(it is 5\)/);
  });
});
