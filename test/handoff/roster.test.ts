import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRoster, Roster, RosterSource } from '../../src/handoff/roster.ts';
import { capturingLogger, temporaryDirectory, waitFor } from '../helpers.ts';

describe('roster', () => {
  it('reads the shipped examples: the communities of the knowledge base, a supervisor each, rooms and staff groups', async () => {
    const roster = await readRoster(path.resolve('config/roster.example.yaml'), path.resolve('config/rooms.example.yaml'));
    expect(roster.data.communities.map((community) => community.name)).toEqual(['白杨街道邻里社区', '临江街道高新社区', '医药港产业社区', '大创小镇产业社区', '钱塘芯谷产业社区']);
    for (const community of roster.data.communities) expect(roster.supervisorOf(community.id)).toBeDefined();
    expect(roster.data.workers.every((worker) => worker.name.endsWith('（示例）'))).toBe(true);
    expect(roster.communityInText('我在医药港上班')?.id).toBe('yiyaogang');
    expect(roster.communityInText('临江街道高新社区')?.id).toBe('linjiang-gaoxin');
    // Two communities named: none is taken for the other; a name inside a longer one is not a second.
    expect(roster.communitiesInText('我住白杨，在医药港上班').map((community) => community.id)).toEqual(['baiyang-linli', 'yiyaogang']);
    expect(roster.communityInText('我住白杨，在医药港上班')).toBeUndefined();
    const nested = new Roster({ ...roster.data, communities: [...roster.data.communities, { ...roster.data.communities[0]!, id: 'baiyang-east', name: '白杨东', aliases: [], parks: [], streets: [] }] }, roster.rooms);
    expect(nested.communitiesInText('白杨东的宿舍').map((community) => community.id)).toEqual(['baiyang-east']);
    expect(nested.communitiesInText('白杨东和白杨街道').map((community) => community.id)).toEqual(['baiyang-east', 'baiyang-linli']);
    expect(roster.communityOfRoom({ id: 'r1', title: '医药港员工交流群' })).toBe('yiyaogang');
    expect(roster.staffGroupOf({ id: 'r2', title: '医药港社工群' })).toBe('yiyaogang');
    expect(roster.communityOfRoom({ id: 'r2', title: '医药港社工群' })).toBeUndefined();
    expect(roster.workerByAddress('wecom', 'zhangmin')?.id).toBe('w-yyg-01');
    expect(roster.workerByAddress('wecom', 'w-yyg-01')).toBeUndefined();
    expect(roster.workerByAddress('console', 'w-yyg-01')?.name).toBe('张敏（示例）');
    expect(roster.urgentContact?.name).toBe('赵强（示例）');
    expect(roster.dispatcher?.name).toBe('孙燕（示例）');
  });

  it('reloads on a file change; an invalid file keeps the previous roster and logs exactly what is wrong', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const rosterFile = path.join(dir, 'roster.yaml');
    const roomsFile = path.join(dir, 'rooms.yaml');
    await cp(path.resolve('config/roster.example.yaml'), rosterFile);
    await cp(path.resolve('config/rooms.example.yaml'), roomsFile);
    const { logger, lines } = capturingLogger();
    const source = await RosterSource.open(rosterFile, roomsFile, logger);
    source.watch();
    const original = await readFile(rosterFile, 'utf8');

    await writeFile(
      rosterFile,
      original
        .replace('community: yiyaogang, skills: [repair', 'community: nowhere, skills: [repair')
        .replace('from: "00:00", to: "24:00" }, addresses: { wecom: zhangmin', 'from: "8 点", to: "24:00" }, addresses: { wecom: zhangmin')
        .replace('urgentContact: w-by-01', 'urgentContact: w-nobody')
        .replace('dispatcher: s-baiyang', 'dispatcher: s-nobody'),
    );
    await waitFor(() => lines.some((line) => line.msg === 'roster reload refused: keeping the previous roster'));
    const refused = lines.find((line) => line.msg === 'roster reload refused: keeping the previous roster')!;
    expect(refused.reason).toMatch(/roster\.yaml is invalid: /);
    expect(refused.reason).toMatch(/workers\.0\.duty\.from: must be a time written as HH:MM/);
    expect(refused.reason).toMatch(/workers\.0\.community: "nowhere" is not a community id of this roster/);
    expect(refused.reason).toMatch(/urgentContact: "w-nobody" is not a worker id of this roster/);
    expect(refused.reason).toMatch(/dispatcher: "s-nobody" is not a worker id of this roster/);
    expect(source.roster.worker('w-yyg-01')?.community).toBe('yiyaogang');

    await writeFile(rosterFile, original.replace('张敏（示例）', '张敏新（示例）'));
    await waitFor(() => source.roster.worker('w-yyg-01')?.name === '张敏新（示例）');
    source.close();
    await cleanup();
  });

  it('reloads on SIGHUP', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    const rosterFile = path.join(dir, 'roster.yaml');
    const roomsFile = path.join(dir, 'rooms.yaml');
    await cp(path.resolve('config/roster.example.yaml'), rosterFile);
    await cp(path.resolve('config/rooms.example.yaml'), roomsFile);
    const { logger } = capturingLogger();
    const source = await RosterSource.open(rosterFile, roomsFile, logger);
    source.watch();
    await writeFile(roomsFile, (await readFile(roomsFile, 'utf8')).replace('title: "医药港社工群"', 'title: "医药港工作群"'));
    process.emit('SIGHUP', 'SIGHUP');
    await waitFor(() => source.roster.staffGroupOf({ id: 'x', title: '医药港工作群' }) === 'yiyaogang');
    source.close();
    await cleanup();
  });
});
