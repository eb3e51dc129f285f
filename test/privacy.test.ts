import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { findPhone, mask } from '../src/privacy.ts';
import { message, testApp } from './helpers.ts';

describe('masking', () => {
  it('masks mobile and ID-card numbers but not other numbers', () => {
    expect(mask('电话13812345678，身份证330106199001011234')).toBe('电话138****5678，身份证330***********1234');
    expect(mask('身份证号 33010619900101123X')).toBe('身份证号 330***********123X');
    expect(mask('可提供14108间房源，工单#1024')).toBe('可提供14108间房源，工单#1024');
    expect(findPhone('打我电话 139-0000 不对，是13900001111')).toBe('13900001111');
  });

  it('never writes a phone number to the log, in messages or in fields', () => {
    const lines: string[] = [];
    const capture = new Writable({ write: (chunk, _e, done) => (lines.push(chunk.toString()), done()) });
    const captured = createLogger({ level: 'info', pretty: false, stream: capture });
    captured.info({ text: '我的电话13812345678', nested: { id: '330106199001011234' } }, '用户留言 13812345678');
    const output = lines.join('');
    expect(output).not.toContain('13812345678');
    expect(output).not.toContain('330106199001011234');
    expect(output).toContain('138****5678');
  });

  it('masks numbers in what goes to a group, and shows them to the assigned worker only', async () => {
    const app = await testApp();
    const result = await app.assistant.handle(message('医药港宿舍没热水了，派人修，我电话13812345678', { channel: 'wecom', user: 'p1', group: '医药港员工交流群' }));
    for (const reply of result.replies) expect(reply.text).not.toContain('13812345678');
    const ticket = (await app.tickets.get(result.ticket!.id))!;
    expect(ticket.contact).toBe('13812345678');
    const notices = await app.tickets.notifications({ ticketId: ticket.id });
    expect(notices.find((notification) => notification.recipient === 'staff-group:yiyaogang')!.text).toContain('138****5678');
    expect(notices.find((notification) => notification.recipient === 'worker:w-yyg-01')!.text).toContain('联系方式：13812345678');
    await app.desk.reply(ticket.id, 'w-yyg-01', '好的，我打 13812345678 联系你');
    const relay = (await app.tickets.notifications({ ticketId: ticket.id })).find((notification) => notification.kind === 'reply')!;
    expect(relay.text).toContain('138****5678');
    expect(relay.text).not.toContain('13812345678');
    await app.cleanup();
  });
});
