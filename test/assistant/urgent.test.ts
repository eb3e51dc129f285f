import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Categories } from '../../src/assistant/categories.ts';
import { UrgentSituations } from '../../src/assistant/urgent.ts';
import { temporaryDirectory } from '../helpers.ts';

describe('urgent situations', () => {
  it('finds the situation a message names, whatever its spacing, and nothing in everyday messages', async () => {
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    const urgent = await UrgentSituations.load(path.resolve('config/urgent.yaml'), categories);
    expect(urgent.find('宿舍 着火 了')?.name).toBe('fire');
    expect(urgent.find('工友在车间晕倒了')?.name).toBe('injury');
    for (const injury of ['工友受伤了流了很多血', '手被机器夹了', '同事在车间中暑晕过去了', '师傅从高处摔下来了', '工友被机器压到手了', '手指被夹断了']) expect(urgent.find(injury)?.name, injury).toBe('injury');
    for (const violence of ['宿舍楼下有人打架', '有人在宿舍打架', '两个人打起来了', '有人拿刀', '有人跟踪我', '下班路上老有人跟踪']) expect(urgent.find(violence)?.name, violence).toBe('violence');
    expect(urgent.find('真的不想活了')).toMatchObject({ name: 'self_harm', category: 'mental_health' });
    for (const bite of ['被狗咬了', '宿舍楼下的狗咬了我一口', '手被猫抓破了']) expect(urgent.find(bite)?.name, bite).toBe('animal_bite');
    for (const everyday of ['宿舍热水器坏了', '老板欠我工资', '最近压力有点大', '邻里中心有多少房间', '火车票怎么买', '超市在搞跳楼价']) expect(urgent.find(everyday)).toBeUndefined();
    expect(urgent.find('压力太大了真想跳楼')?.name).toBe('self_harm');
  });

  it('refuses a file whose situation names a category that does not exist', async () => {
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    const { dir, cleanup } = await temporaryDirectory();
    const file = path.join(dir, 'urgent.yaml');
    await writeFile(file, 'situations:\n  - name: flood\n    category: rescue\n    words: [被水淹]\n    reply: 请马上拨打 119。\n');
    await expect(UrgentSituations.load(file, categories)).rejects.toThrow(/"flood" names the category "rescue"/);
    await writeFile(file, 'situations:\n  - name: flood\n    words: []\n    reply: 请马上拨打 119。\n');
    await expect(UrgentSituations.load(file, categories)).rejects.toThrow(/situations\.0\.words/);
    await cleanup();
  });
});
