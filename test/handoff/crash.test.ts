import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../helpers.ts';

type Driven = { child: ChildProcessWithoutNullStreams; send: (command: object) => Promise<any> };

async function startProcess(dataDir: string, clock: string): Promise<Driven> {
  const child = spawn(path.resolve('node_modules/.bin/tsx'), ['test/fixtures/desk-process.ts', clock], {
    env: { PATH: process.env.PATH, DATA_DIR: dataDir },
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse(((await lines.next()).value as string) ?? 'null');
  expect(await next()).toEqual({ ready: true });
  return {
    child,
    send: async (command) => {
      child.stdin.write(`${JSON.stringify(command)}\n`);
      return next();
    },
  };
}

describe('a process killed with SIGKILL', () => {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(() => children.forEach((child) => child.kill('SIGKILL')));

  it('loses neither a half-filled request nor a pending escalation', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const first = await startProcess(dir, '2026-11-26T10:00:00+08:00');
    children.push(first.child);
    const opened = await first.send({ op: 'message', user: 'crash-1', text: '医药港宿舍水管漏了，派人修' });
    expect(opened.ticket).toMatchObject({ status: 'assigned', assignee: 'w-yyg-01' });
    const asked = await first.send({ op: 'message', user: 'crash-2', text: '转人工' });
    expect(asked.answer).toBe('好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？');

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // 46 minutes later, a new process on the same data.
    const second = await startProcess(dir, '2026-11-26T10:46:00+08:00');
    children.push(second.child);
    const continued = await second.send({ op: 'message', user: 'crash-2', text: '想问问孩子上学的事' });
    expect(continued.answer).toMatch(/请问你在哪个产业社区或园区/);
    const created = await second.send({ op: 'message', user: 'crash-2', text: '大创小镇' });
    expect(created.ticket).toMatchObject({ status: 'assigned', community: 'dachuang', category: 'other' });
    const fired = await second.send({ op: 'tick' });
    expect(fired.reminded).toContain(opened.ticket.id);
    expect(fired.escalated).toContain(opened.ticket.id);
    expect((await second.send({ op: 'tick' })).escalated).toEqual([]);
    second.child.kill('SIGKILL');
    await cleanup();
  });
});
