import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

describe('loadConfig', () => {
  it('runs on the embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve('data'));
    expect(config.indexDir).toBe(path.resolve('data/index'));
    expect(config.embedding).toEqual({ kind: 'local', dimensions: 2048 });
    expect(config.retrieval.lexicalWeight).toBeGreaterThan(config.retrieval.vectorWeight);
  });

  it('names the variable and what is expected when a value is invalid', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT .*number.*\(it is "abc"\)/);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT Too big: expected number to be <=65535 \(it is "70000"\)/);
    expect(() => loadConfig({ OPENAI_BASE_URL: 'not a url' })).toThrow(/OPENAI_BASE_URL must be a URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ CHUNK_SIZE: '200', CHUNK_OVERLAP: '200' })).toThrow(/CHUNK_OVERLAP must be smaller than CHUNK_SIZE/);
  });

  it('uses the OpenAI-compatible embedder only when a model and a key are configured', () => {
    expect(() => loadConfig({ EMBEDDING_MODEL: 'bge-m3' })).toThrow(/OPENAI_API_KEY/);
    const config = loadConfig({ EMBEDDING_MODEL: 'bge-m3', OPENAI_API_KEY: 'k', EMBEDDING_DIMENSIONS: '1024' });
    expect(config.embedding).toEqual({ kind: 'openai', model: 'bge-m3', dimensions: 1024, batchSize: 64 });
  });

  it('names each chat API key: `name:key` keeps its name when the key is replaced, a bare key is named by its digest', () => {
    const [old] = loadConfig({ CHAT_API_KEYS: 'acme:first-key' }).web.chatApiKeys;
    const [replaced, bare, other] = loadConfig({ CHAT_API_KEYS: ' acme:second-key , plain-key,plain-key-2' }).web.chatApiKeys;
    expect(old).toEqual({ name: 'acme', key: 'first-key' });
    expect(replaced).toEqual({ name: 'acme', key: 'second-key' });
    expect(bare!.key).toBe('plain-key');
    expect(bare!.name).toMatch(/^[0-9a-f]{16}$/);
    expect(other!.name).not.toBe(bare!.name);
  });

  it('treats empty variables as unset, as in a copied .env.example', () => {
    expect(loadConfig({ PORT: '', OPENAI_API_KEY: '', EMBEDDING_MODEL: '' }).embedding.kind).toBe('local');
  });
});

describe('.env.example', () => {
  it('lists every variable loadConfig reads, each with a comment above it', async () => {
    const { readFile } = await import('node:fs/promises');
    const { CONFIG_VARIABLES } = await import('../src/config.ts');
    const lines = (await readFile('.env.example', 'utf8')).split('\n');
    for (const name of CONFIG_VARIABLES) {
      const at = lines.findIndex((line) => line.startsWith(`${name}=`));
      expect(at, name).toBeGreaterThan(0);
      expect(lines[at - 1], name).toMatch(/^# /);
    }
  });
});

describe('channel configuration', () => {
  const app = { WECOM_CORP_ID: 'ww1', WECOM_APP_TOKEN: 't', WECOM_APP_AES_KEY: 'a'.repeat(43), WECOM_AGENT_ID: '1000002', WECOM_APP_SECRET: 's' };

  it('leaves a channel off when none of its variables is set', () => {
    const config = loadConfig({});
    expect(config.channels).toMatchObject({ wechaty: undefined, aibot: undefined, app: undefined, prefixes: ['小融'] });
  });

  it('fails start on a half-configured channel, naming what is missing', () => {
    expect(() => loadConfig({ WECOM_BOT_TOKEN: 'x' })).toThrow('The WeCom AI bot is half-configured: set WECOM_BOT_AES_KEY (or unset WECOM_BOT_TOKEN)');
    const { WECOM_APP_SECRET: _secret, WECOM_AGENT_ID: _agent, ...partial } = app;
    expect(() => loadConfig(partial)).toThrow(/The WeCom app is half-configured: set WECOM_AGENT_ID, WECOM_APP_SECRET/);
    expect(() => loadConfig({ WECHATY_PUPPET: 'wechaty-puppet-service' })).toThrow(/WECHATY_PUPPET_SERVICE_TOKEN is empty/);
    expect(() => loadConfig({ ...app, WECOM_APP_AES_KEY: 'short' })).toThrow(/WECOM_APP_AES_KEY must be 43 characters \(it is 5\)/);
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN must be at least 16 characters/);
  });

  it('turns a fully configured channel on', () => {
    expect(loadConfig(app).channels.app).toEqual({ corpId: 'ww1', token: 't', aesKey: 'a'.repeat(43), agentId: '1000002', secret: 's' });
    expect(loadConfig({ GROUP_PREFIXES: '小融, 融治' }).channels.prefixes).toEqual(['小融', '融治']);
  });
});
