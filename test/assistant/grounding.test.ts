import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { extractiveAnswer, relevance, speaksTo, unmentioned, wantedValue, withoutWhoAndWhereIAm } from '../../src/assistant/grounding.ts';
import type { Chunk } from '../../src/knowledge/document.ts';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import type { Hit } from '../../src/retrieval/knowledge-index.ts';
import { LexicalIndex } from '../../src/retrieval/lexical-index.ts';
import { Tokenizer } from '../../src/retrieval/tokenizer.ts';

const TODAY = '2026-11-27';
const districtTokenizer = async () => new Tokenizer(await loadGlossary(path.resolve('knowledge/glossary.yaml')));
/** A passage of one document: id, text and, where it matters, title and heading. */
const passage = (id: string, text: string, fields: Partial<Chunk> = {}): Chunk => ({ id, ordinal: 0, source: `${id}.md`, title: '产业社区', tags: [], section: '', text, sentenceStart: 0, sentenceEnd: 0, ...fields });
/** The passages as search found them, best first, and a scorer over them alone. */
async function found(...chunks: Chunk[]): Promise<{ hits: Hit[]; scorer: { tokenizer: Tokenizer; lexical: LexicalIndex } }> {
  const tokenizer = await districtTokenizer();
  return { hits: chunks.map((chunk, i) => ({ rank: i + 1, score: 1 - i / 10, chunk })), scorer: { tokenizer, lexical: LexicalIndex.build(chunks.map((chunk) => chunk.text), tokenizer) } };
}

describe('extractive answers', () => {
  it('read a passage once: asking again tokenizes only the question, and answers the same', async () => {
    const tokenizer = await districtTokenizer();
    const text = '钱塘区已建成下沙邻里中心、新雁邻里中心。临江产业邻里中心正在建设中。合计可提供房源14108间。';
    const chunk: Chunk = { id: 'a.md#0', ordinal: 0, source: 'a.md', title: '工业邻里中心', tags: [], section: '', text, sentenceStart: 0, sentenceEnd: 2 };
    const scorer = { tokenizer, lexical: LexicalIndex.build([text], tokenizer) };
    const hits: Hit[] = [{ rank: 1, score: 1, chunk }];
    const tokenize = vi.spyOn(tokenizer, 'tokenize');

    const first = extractiveAnswer('临江的邻里中心建好了吗', hits, scorer, TODAY);
    const callsFirst = tokenize.mock.calls.length;
    const second = extractiveAnswer('临江的邻里中心建好了吗', hits, scorer, TODAY);

    expect(first.text).toContain('临江产业邻里中心正在建设中[1]');
    expect(second).toEqual(first);
    expect(callsFirst).toBeGreaterThan(3);
    expect(tokenize.mock.calls.length - callsFirst).toBeLessThan(callsFirst - 2);
  });

  it('answer a comparison with what is said of each side, not only with the sentence naming both', async () => {
    const title = '产业社区：建制型与功能型';
    const { hits, scorer } = await found(
      passage('intro', '钱塘区的产业社区分为"建制型"和"功能型"两类，全域覆盖。', { title }),
      passage('residential', '建制型产业社区聚焦产业工人及家属"8小时外"的服务需求。', { title, section: '建制型产业社区' }),
      passage('working', '功能型产业社区推动社区服务进入园区，实现产业工人"8小时内"服务。', { title, section: '功能型产业社区' }),
    );
    for (const question of ['建制型和功能型有啥区别', '功能型社区与建制型社区有什么不同']) {
      const answer = extractiveAnswer(question, hits, scorer, TODAY);
      expect(answer.text).toContain('8小时外');
      expect(answer.text).toContain('8小时内');
    }
    // Not a comparison: the best sentences, as before.
    expect(extractiveAnswer('建制型和功能型是什么', hits, scorer, TODAY).text).toBe('钱塘区的产业社区分为"建制型"和"功能型"两类，全域覆盖[1]。');
  });

  it('answer "how many" with a count, not with the digit of a name', async () => {
    const { hits, scorer } = await found(
      passage('named', '建制型产业社区积极推广"邻里模式"，聚焦产业工人及家属"8小时外"的服务需求。'),
      passage('counted', '钱塘区常年工作生活着30余万产业员工，人口结构复杂、流动性高。'),
    );
    const answer = extractiveAnswer('钱塘区有多少产业工人', hits, scorer, TODAY);
    expect(answer.text.startsWith('钱塘区常年工作生活着30余万产业员工')).toBe(true);
  });

  it('answer "how many" with a sentence that counts what is asked, not only with another count beside its words', async () => {
    const { hits, scorer } = await found(
      passage('kinds', '钱塘区的产业社区分为"建制型"和"功能型"两类，全域覆盖。'),
      passage('counted', '钱塘区有4个建制型产业社区，包括白杨街道邻里社区、临江街道高新社区等。', { section: '建制型产业社区' }),
    );
    // It had been answered with the two kinds alone.
    expect(extractiveAnswer('建制型社区有几个', hits, scorer, TODAY).text).toContain('钱塘区有4个建制型产业社区');
  });

  it('answer "which services" with the sentence that lists services first', async () => {
    const { hits, scorer } = await found(
      passage('ecosystem', '服务围绕产业工人"8小时内外"生态圈展开，发挥资源链接优势，持续做优做实员工服务。'),
      passage('activities', '依托"社企开放日"等活动，已提供技术技能培训、心理健康关怀、社会交往拓展、矛盾调节处理等服务，共66场。'),
      passage('spaces', '已打造完成区企业综合服务中心、生物医药产业服务驿站等阵地。'),
    );
    const answer = extractiveAnswer('员工可以享受哪些服务', hits, scorer, TODAY);
    expect(answer.text.startsWith('依托"社企开放日"等活动，已提供技术技能培训')).toBe(true);
    // A list of another kind (阵地) is no answer to "which services".
    expect(answer.text).not.toMatch(/^已打造完成/);
  });

  it('answer a question for a phone number, a time or a price only with a sentence that holds one', async () => {
    const tokenizer = await districtTokenizer();
    const text = '医药港产业社区党群服务中心设在园区内。服务热线0571-86001234，工作日9:00开放。';
    const chunk: Chunk = { id: 'p.md#0', ordinal: 0, source: 'p.md', title: '医药港产业社区', tags: [], section: '', text, sentenceStart: 0, sentenceEnd: 1 };
    const about: Chunk = { ...chunk, id: 'q.md#0', source: 'q.md', text: '医药港产业社区是功能型产业社区，服务园区企业和员工。' };
    const scorer = { tokenizer, lexical: LexicalIndex.build([chunk.text, about.text], tokenizer) };
    const hits: Hit[] = [{ rank: 1, score: 1, chunk }];
    expect(extractiveAnswer('医药港社区的电话是多少', hits, scorer, TODAY).text).toBe('服务热线0571-86001234，工作日9:00开放[1]。');
    expect(extractiveAnswer('医药港社区几点开门', hits, scorer, TODAY).text).toBe('服务热线0571-86001234，工作日9:00开放[1]。');
    expect(speaksTo('医药港社区的电话是多少', hits, tokenizer)).toBe(true);
    const elsewhere: Hit[] = [{ rank: 1, score: 1, chunk: about }];
    expect(speaksTo('医药港社区的电话是多少', elsewhere, tokenizer)).toBe(false);
    expect(extractiveAnswer('医药港社区的电话是多少', elsewhere, scorer, TODAY).text).toBe('');
    expect(speaksTo('医药港社区是什么类型', elsewhere, tokenizer)).toBe(true); // a kind asked for, and 功能型 named
    expect(speaksTo('医药港社区是什么类型', hits, tokenizer)).toBe(false);
    // Where a building is, is its address; where a programme is tried, the places named.
    const centres: Hit[] = [{ rank: 1, score: 1, chunk: { ...chunk, id: 'c.md#0', source: 'c.md', text: '现已建成三处：下沙邻里中心、新雁邻里中心。' } }];
    expect(speaksTo('下沙邻里中心在哪里', centres, tokenizer)).toBe(false);
    // What a thing is in says where it is.
    const inside: Hit[] = [{ rank: 1, score: 1, chunk: { ...chunk, id: 'd.md#0', source: 'd.md', text: '工业邻里中心内设有党群服务中心。' } }];
    expect(speaksTo('党群服务中心在哪', inside, tokenizer)).toBe(true);
    expect(speaksTo('工业邻里中心在哪', inside, tokenizer)).toBe(false);
    expect(speaksTo('企业社会工作在哪里试点', elsewhere, tokenizer)).toBe(true);
    // What the documents would have to state, to say it is not there.
    expect(wantedValue('下沙邻里中心在哪里')).toBe('下沙邻里中心的地址');
    expect(wantedValue('请问党群服务中心几点开门？')).toBe('党群服务中心的开放时间');
    expect(wantedValue('医药港社区是什么类型')).toBe('医药港社区的类型');
    expect(wantedValue('怎么去下沙邻里中心')).toBe('下沙邻里中心的地址');
    expect(wantedValue('人才公寓谁可以住')).toBe('人才公寓的入住条件');
    expect(wantedValue('蓝领公寓是给谁住的')).toBe('蓝领公寓的入住条件');
    expect(wantedValue('外地人能住蓝领公寓吗')).toBe('蓝领公寓的入住条件');
    expect(wantedValue('夫妻能一起住吗')).toBe('入住条件');
    // Two or a family living together asks the same: the first had been answered with what the centres
    // hold, the second filed as a housing request.
    expect(wantedValue('我老公在医药港上班，我们俩能一起住邻里中心吗')).toBe('邻里中心的入住条件');
    expect(wantedValue('一家人能住蓝领公寓吗')).toBe('蓝领公寓的入住条件');
    expect(wantedValue('新入职员工可以住蓝领公寓吗')).toBe('蓝领公寓的入住条件');
    expect(wantedValue('我们公司员工能住邻里中心吗')).toBe('邻里中心的入住条件');
    expect(wantedValue('员工能住多少人')).toBeUndefined();
    expect(wantedValue('你们几点下班')).toBe('开放时间');
    expect(wantedValue('技能培训要钱吗')).toBe('技能培训的收费标准');
    expect(wantedValue('蓝领公寓贵不贵')).toBe('蓝领公寓的收费标准');
    expect(wantedValue('有没有免费的技能培训')).toBe('技能培训的收费标准');
    expect(wantedValue('免费培训有吗')).toBe('培训的收费标准');
    // Where it is asked about comes before asking whether there is one; the thing asked, after.
    expect(wantedValue('区里有没有免费的技能培训')).toBe('技能培训的收费标准');
    expect(wantedValue('宿舍有没有免费的')).toBe('宿舍的收费标准');
    expect(wantedValue('蓝领公寓是不是免费的')).toBe('蓝领公寓的收费标准');
    // Asked as A-not-A, the asking is no part of the thing: not "宿舍要不的收费标准".
    expect(wantedValue('宿舍要不要交钱')).toBe('宿舍的收费标准');
    // Nor is which one is pointed at, how much of it, or how sure: each had been named with the thing
    // ("那种的收费标准", "宿舍一个月大概的收费标准").
    expect(wantedValue('有没有那种便宜点的宿舍')).toBe('宿舍的收费标准');
    expect(wantedValue('这种公寓贵不贵')).toBe('公寓的收费标准');
    expect(wantedValue('宿舍一个月大概多少钱啊')).toBe('宿舍的收费标准');
    expect(wantedValue('技能培训收不收费')).toBe('技能培训的收费标准');
    expect(wantedValue('产业社区的服务要不要钱')).toBe('产业社区的服务的收费标准');
    // An amount granted is no price: "社企共建基金能申请多少钱" is not asking for its fees.
    expect(wantedValue('社企共建基金能申请多少钱')).toBe('社企共建基金的金额');
    expect(wantedValue('蓝领公寓多少钱')).toBe('蓝领公寓的收费标准');
    // How often it is paid is no part of the thing: not "蓝领公寓一个月的收费标准".
    expect(wantedValue('蓝领公寓一个月房租多少钱')).toBe('蓝领公寓的收费标准');
    expect(wantedValue('宿舍每月租金多少')).toBe('宿舍的收费标准');
    // Nor is when it is asked, or asking again: not "食堂晚上的开放时间", "关门的开放时间".
    expect(wantedValue('食堂晚上几点关门')).toBe('食堂的开放时间');
    expect(wantedValue('邻里中心周末几点开门')).toBe('邻里中心的开放时间');
    expect(wantedValue('晚上几点关门')).toBe('开放时间');
    expect(wantedValue('晚上几点关门', { ofANamedThing: true })).toBeUndefined();
    expect(wantedValue('维修电话多少', { ofANamedThing: true })).toBe('维修的电话');
    // Whether it is allowed is asked, no thing named: not "可以的管理规定".
    expect(wantedValue('养猫可以吗')).toBe('管理规定');
    // Who may apply is what one must meet: "社企共建基金谁可以申请" had been answered with what the fund is.
    expect(wantedValue('社企共建基金谁可以申请')).toBe('社企共建基金的条件和要求');
    expect(wantedValue('哪些企业可以申请社企共建基金')).toBe('社企共建基金的条件和要求');
    // 要求 asked after what one wants to take part in: it had been answered with the four key works.
    expect(wantedValue('我们企业想参加示范单元评选，有什么要求')).toBe('示范单元评选的条件和要求');
    // What a standard requires is what it says.
    expect(wantedValue('评价指标体系有什么要求')).toBeUndefined();
    // How to apply: "人才公寓怎么申请" had been answered with what the flats are part of.
    expect(wantedValue('人才公寓怎么申请')).toBe('人才公寓的申请方式');
    expect(wantedValue('社企共建基金的申请流程')).toBe('社企共建基金的申请方式');
    // Where to apply is how: "工业邻里中心在哪里报名入住" had been told the centres' address is not stated.
    expect(wantedValue('工业邻里中心在哪里报名入住')).toBe('工业邻里中心的申请方式');
    expect(wantedValue('人才公寓在哪儿办理入住')).toBe('人才公寓的申请方式');
    expect(wantedValue('社企共建基金咋申请')).toBe('社企共建基金的申请方式');
    // Typed as a search is, the words a space before the value name the thing: it had been "收费标准" alone.
    expect(wantedValue('请问下 蓝领公寓 房租 多少')).toBe('蓝领公寓的收费标准');
    expect(wantedValue('蓝领公寓 房租多少')).toBe('蓝领公寓的收费标准');
    expect(wantedValue('蓝领公寓 一个月 多少钱')).toBe('蓝领公寓的收费标准');
    expect(wantedValue('我在医药港 电话多少')).toBe('电话');
    // How long one may stay: "邻里中心可以住多久" had been answered with the number of rooms.
    expect(wantedValue('邻里中心可以住多久')).toBe('邻里中心的入住期限');
    expect(wantedValue('公寓租期多长')).toBe('公寓的入住期限');
    expect(wantedValue('多久有人联系我')).toBeUndefined();
    expect(wantedValue('下沙邻里中心有电话吗')).toBe('下沙邻里中心的电话');
    expect(wantedValue('另外问一下蓝领公寓在哪')).toBe('蓝领公寓的地址');
    expect(wantedValue('电话多少，邻里中心房租多少')).toBe('电话');
    expect(wantedValue('一网通办的网址是多少')).toBe('一网通办的网址');
    expect(wantedValue('住宿费多少')).toBe('住宿的收费标准');
    expect(wantedValue('住宿舍要交钱吗')).toBe('住宿舍的收费标准');
    expect(wantedValue('公寓离厂远吗')).toBe('公寓的距离');
    expect(wantedValue('邻里中心离地铁站多远')).toBe('邻里中心的距离');
    expect(wantedValue('邻里中心附近有超市吗')).toBeUndefined();
    expect(wantedValue('邻里中心有几个')).toBeUndefined();
    // Asked with nothing before it, of what the clause before wants to apply for: the reply had said
    // only "没有写明条件和要求".
    expect(wantedValue('我们企业想申请社企共建基金，需要什么条件')).toBe('社企共建基金的条件和要求');
    expect(wantedValue('员工想住蓝领公寓，需要什么材料')).toBe('蓝领公寓的申请材料');
    expect(wantedValue('我刚来钱塘，需要什么材料')).toBe('申请材料');
  });

  it('answer "which kind" with a sentence that names a kind, not one that names the place beside another', async () => {
    const { hits, scorer } = await found(
      passage('pilot', '钱塘芯谷产业社区与医药港产业社区一起，是企业社会工作的试点社区。', { section: '钱塘芯谷产业社区' }),
      passage('kinds', '钱塘区有4个建制型产业社区，包括白杨街道邻里社区；还新建了5个功能型产业社区，包括医药港产业社区。', { section: '钱塘区有哪些产业社区？' }),
    );
    expect(extractiveAnswer('医药港属于哪类社区', hits, scorer, TODAY).text).toBe('还新建了5个功能型产业社区，包括医药港产业社区[1]。');
    // "哪种" asks it too: the pilot sentence had been the answer, with what 芯谷's type is not after it.
    expect(extractiveAnswer('医药港属于哪种社区', hits, scorer, TODAY).text).toBe('还新建了5个功能型产业社区，包括医药港产业社区[1]。');
  });

  it('do not follow the best sentence with one about another place', async () => {
    const { hits, scorer } = await found(
      passage('pilot', '钱塘芯谷产业社区与医药港产业社区一起，是企业社会工作的试点社区。钱塘芯谷产业社区属于建制型还是功能型，现有资料没有说明。'),
    );
    expect(extractiveAnswer('医药港有什么试点', hits, scorer, TODAY).text).toBe('钱塘芯谷产业社区与医药港产业社区一起，是企业社会工作的试点社区[1]。');
    // Nor with what is left unsaid of places the question names none of; asked of the place, it follows.
    expect(extractiveAnswer('企业社会工作在哪试点', hits, scorer, TODAY).text).toBe('钱塘芯谷产业社区与医药港产业社区一起，是企业社会工作的试点社区[1]。');
    expect(extractiveAnswer('钱塘芯谷有什么试点', hits, scorer, TODAY).text).toBe(
      '钱塘芯谷产业社区与医药港产业社区一起，是企业社会工作的试点社区[1]。钱塘芯谷产业社区属于建制型还是功能型，现有资料没有说明[1]。',
    );
  });

  it('answer about the place asked about, not with a sentence about another place', async () => {
    const { hits, scorer } = await found(
      passage('xingu', '钱塘芯谷产业社区属于建制型还是功能型，现有资料没有说明。', { section: '钱塘芯谷产业社区' }),
      passage('kinds', '钱塘区有4个建制型产业社区，包括白杨街道邻里社区；还新建了5个功能型产业社区，包括医药港产业社区、大创小镇产业社区等。'),
      passage('dachuang', '这里是功能型产业社区的试点之一，与医药港产业社区一起推进。', { section: '大创小镇产业社区' }),
      passage('pharma', '生物医药企业还有平台级生物医药产业服务驿站。'),
    );
    // Another place's sentence is left out; one under the asked place's heading stays, whatever else it names.
    expect(extractiveAnswer('大创小镇属于建制型还是功能型', hits, scorer, TODAY).text).toBe(
      '还新建了5个功能型产业社区，包括医药港产业社区、大创小镇产业社区等[1]。这里是功能型产业社区的试点之一，与医药港产业社区一起推进[2]。',
    );
    // 医药 inside 医药港 is not asked about on its own: the medicine passage answers nothing here.
    expect(extractiveAnswer('医药港在哪个街道', [hits[3]!], scorer, TODAY).text).toBe('');
    // Asked about 钱塘芯谷, its own sentence answers.
    expect(extractiveAnswer('钱塘芯谷属于建制型还是功能型', hits, scorer, TODAY).text).toBe('钱塘芯谷产业社区属于建制型还是功能型，现有资料没有说明[1]。');
  });

  it('answer from passages that name what the question is about, not from what another passage leaves unsaid', async () => {
    const rent = passage('rent', '已建成和在建的工业邻里中心合计可提供14108间房源。现有资料没有写明房租标准、入住条件和申请办法，需要时可以转人工。', { title: '工业邻里中心' });
    const fund = passage('fund', '钱塘区制定了《社企共建基金运行管理办法》等文件。目前在医药港产业社区进行试点。', { title: '政策文件' });
    const places = passage('places', '工业邻里中心内设有党群服务中心。具体地址和开放时间，现有资料没有写明，可以转人工查询。', { title: '联系社区工作者' });
    const { hits, scorer } = await found(rent, fund, places);
    // The only sentence holding a price is the centres' rent: no answer, rather than that.
    expect(extractiveAnswer('社企共建基金能申请多少钱', hits, scorer, TODAY).text).toBe('');
    const apply = extractiveAnswer('社企共建基金怎么申请', hits, scorer, TODAY).text;
    expect(apply).toContain('《社企共建基金运行管理办法》');
    expect(apply).not.toContain('房租');
    // Nor is the training fee, though the centres' passage says 申请 where the question says 报名 (its synonym).
    expect(extractiveAnswer('培训报名费用', hits, scorer, TODAY).text).toBe('');
    // A sentence need not name the subject itself when its passage does ("具体地址" of the places above it).
    expect(extractiveAnswer('邻里中心的地址在哪', [hits[2]!], scorer, TODAY).text).toBe('具体地址和开放时间，现有资料没有写明，可以转人工查询[1]。');
  });

  it('do not take a word inside a term the question names for what it asks, nor add from another passage what does not name it', async () => {
    const offline = passage('offline', '工业邻里中心内设有党群服务中心。企业可以到区企业综合服务中心办理涉企服务。具体地址和开放时间，现有资料没有写明。', {
      title: '怎么联系社区工作者',
      section: '线下可以去哪里',
    });
    const rooms = passage('rooms', '已建成的工业邻里中心合计可提供14108间房源。现有资料没有写明房租标准、入住条件和申请办法，需要时可以转人工。', { title: '工业邻里中心', section: '房源' });
    const { hits, scorer } = await found(
      offline,
      passage('matrix', '服务矩阵包括线下服务、专区服务和专员服务。', { title: '涉企增值服务体系' }),
      passage('kinds', '产业社区分为建制型和功能型两类。', { title: '产业社区' }),
      passage('reply', '社区工作者一般在30分钟内接单。', { title: '怎么联系社区工作者' }),
      rooms,
    );
    // 中心 of 邻里中心 is not the 中心 of 区企业综合服务中心: where enterprises go answers nothing here.
    expect(extractiveAnswer('邻里中心去哪里申请', hits, scorer, TODAY).text).toBe('现有资料没有写明房租标准、入住条件和申请办法，需要时可以转人工[1]。');
    // A word inside the term that is its synonym is asked, though: 心理 of 心理健康.
    const care = await found(passage('care', '私聊小融可以预约心理疏导。', { title: '怎么联系社区工作者' }));
    expect(extractiveAnswer('心理健康找谁', care.hits, care.scorer, TODAY).text).toBe('私聊小融可以预约心理疏导[1]。');
    // Nor is a sentence of another passage added that names neither the centres nor sits under a heading
    // that does, though its passage names them elsewhere and it says 申请.
    const apply = await found(
      passage('rooms', '工业邻里中心合计可提供14108间房源。现有资料没有写明申请办法。', { title: '工业邻里中心', section: '房源' }),
      passage('offline', '工业邻里中心内设有党群服务中心。企业的申请可以到区企业综合服务中心办理。', { title: '怎么联系社区工作者', section: '线下可以去哪里' }),
      passage('kinds', '产业社区分为建制型和功能型两类。', { title: '产业社区' }),
      passage('reply', '社区工作者一般在30分钟内接单。', { title: '怎么联系社区工作者' }),
    );
    expect(extractiveAnswer('邻里中心怎么申请', apply.hits, apply.scorer, TODAY).text).toBe('现有资料没有写明申请办法[1]。');
  });

  it('answer with the whole passage under a heading that asks the question, as an FAQ entry does', async () => {
    const { hits, scorer } = await found(
      passage('matrix', '产业社区建立人员驻点等运营模式，服务矩阵里包括线下服务和专员服务。', { title: '怎么联系社区工作者', section: '谁是产业社区的社区工作者' }),
      passage('offline', '工业邻里中心内设有党群服务中心。企业社会工作站在医药港产业社区试点建设。具体地址和开放时间，现有资料没有写明。', {
        title: '怎么联系社区工作者',
        section: '线下可以去哪里',
      }),
    );
    const whole = '工业邻里中心内设有党群服务中心[1]。企业社会工作站在医药港产业社区试点建设[1]。具体地址和开放时间，现有资料没有写明[1]。';
    expect(extractiveAnswer('找社工线下去哪里', hits, scorer, TODAY).text).toBe(whole);
    // jieba joins 哪里找 into one word: it still asks, and names nothing the heading must.
    expect(extractiveAnswer('线下去哪里找社工', hits, scorer, TODAY).text).toBe(whole);
  });

  it('leave out a sentence that announces what follows: alone it says nothing', async () => {
    const { hits, scorer } = await found(
      passage('intro', '钱塘区推出一揽子社企融合政策。以下是已出台的政策文件及各自的用途。', { title: '社企融合政策文件' }),
      passage('list', '钱塘区先后制定了《功能型产业社区建设工作方案》等政策文件。', { title: '社企融合政策文件', section: '优化政策文件支撑' }),
      passage('steps', '申请分三步，具体如下：'),
    );
    const answer = extractiveAnswer('有哪些政策文件', hits, scorer, TODAY).text;
    expect(answer).toContain('《功能型产业社区建设工作方案》');
    expect(answer).not.toContain('以下是');
    expect(extractiveAnswer('申请分几步', [hits[2]!], scorer, TODAY).text).toBe('');
    // Nor does it follow the best sentence in.
    const top = await found(passage('top', '钱塘区从顶层设计入手，推出一揽子政策。以下是已出台的政策文件及各自的用途。', { title: '社企融合政策文件' }));
    expect(extractiveAnswer('顶层设计是什么', top.hits, top.scorer, TODAY).text).toBe('钱塘区从顶层设计入手，推出一揽子政策[1]。');
  });

  it('read an enumeration ("一是…四是") whole when it fits: three of four would say there are three', async () => {
    const { hits, scorer } = await found(
      passage('work', '一是顶层设计，推出政策。二是规范引领，出台标准。三是全域覆盖，打造示范单元。四是需求导向，形成服务体系。', { title: '融治理概况', section: '四项重点工作' }),
    );
    expect(extractiveAnswer('重点工作有哪些', hits, scorer, TODAY).text).toBe('一是顶层设计，推出政策[1]。二是规范引领，出台标准[1]。三是全域覆盖，打造示范单元[1]。四是需求导向，形成服务体系[1]。');
  });

  it('do not take the title of a document a sentence points to ("（见《…》）") for what it says', async () => {
    const { hits, scorer } = await found(
      passage('events', '每月组织一次交友活动。', { title: '员工活动' }),
      passage('overview', '四是需求导向，形成一站式体系（见《企业员工服务清单与活动》）。', { title: '融治理概况' }),
    );
    expect(extractiveAnswer('周末有什么活动', hits, scorer, TODAY).text).toBe('每月组织一次交友活动[1]。');
  });

  it('read a sentence that points back ("它…", "这些…") with the sentence it points to, or not at all', async () => {
    const { hits, scorer } = await found(
      passage('rules', '为强化队伍保障，钱塘区出台了《专岗专职社区工作者队伍建设管理办法》。它健全了人员选配、管理考核、激励机制等保障举措。'),
      passage('matrix', '产业社区建立人员驻点等运营模式，人员选配由平台负责。这些模式形成了服务矩阵。'),
    );
    expect(extractiveAnswer('人员选配和管理考核有什么保障举措', [hits[0]!], scorer, TODAY).text).toBe(
      '为强化队伍保障，钱塘区出台了《专岗专职社区工作者队伍建设管理办法》[1]。它健全了人员选配、管理考核、激励机制等保障举措[1]。',
    );
    expect(extractiveAnswer('服务矩阵是怎么形成的', [hits[1]!], scorer, TODAY).text).toBe('产业社区建立人员驻点等运营模式，人员选配由平台负责[1]。这些模式形成了服务矩阵[1]。');
    // "两份清单" are the two the sentence before names, and who drew them up is said there.
    const lists = await found(passage('lists', '功能型产业社区分别梳理了基础服务清单和特色服务清单。两份清单合起来，升级为2.0版员工服务清单。'));
    expect(extractiveAnswer('2.0版员工服务清单是谁做的', lists.hits, lists.scorer, TODAY).text).toBe(
      '功能型产业社区分别梳理了基础服务清单和特色服务清单[1]。两份清单合起来，升级为2.0版员工服务清单[1]。',
    );
    // Not the best sentence, it is left out rather than said without what it points to.
    const other = await found(passage('built', '产业社区建立了服务矩阵。'), passage('backed', '钱塘区出台了《管理办法》。它健全了服务矩阵的保障举措。'));
    expect(extractiveAnswer('服务矩阵是什么', other.hits, other.scorer, TODAY).text).toBe('产业社区建立了服务矩阵[1]。');
  });

  it('say a fact once though two passages say it, one with a little more', async () => {
    const { hits, scorer } = await found(
      passage('short', '活动的具体时间和报名方式现有资料没有列出，需要参加可以回复转人工。', { title: '服务活动' }),
      passage('longer', '现有资料没有列出每场活动的具体时间和报名方式，需要参加可以转人工，由社区工作者对接。', { title: '服务活动' }),
    );
    const answer = extractiveAnswer('活动怎么报名', hits, scorer, TODAY);
    expect(answer.text).toBe('活动的具体时间和报名方式现有资料没有列出，需要参加可以回复转人工[1]。');
    expect(answer.citations).toHaveLength(1);
    // Numbered in a list and pointing to where more is written, it is still the same fact.
    const listed = await found(
      passage('kinds', '产业社区分为建制型和功能型两类，全域覆盖，打造一批次社企融合示范单元。', { title: '产业社区' }),
      passage('summary', '三是全域覆盖，打造一批次社企融合示范单元（见《产业社区》）。', { title: '概览' }),
    );
    expect(extractiveAnswer('社企融合示范单元有几个', listed.hits, listed.scorer, TODAY).text).toBe('产业社区分为建制型和功能型两类，全域覆盖，打造一批次社企融合示范单元[1]。');
  });
});

describe('relevance', () => {
  it('counts a word of the question where a passage says it, not inside a longer term of the district the question does not name', async () => {
    const { hits, scorer } = await found(passage('a', '社区工作者在岗时，一般在 30 分钟内接单联系你。'), passage('b', '员工找工作可以参加招聘会。'));
    // "找个工作" had been answered with how soon a worker calls back: 工作 is inside 社区工作者.
    expect(relevance('找工作', hits.slice(0, 1), scorer)).toBe(0);
    expect(relevance('找工作', hits.slice(1), scorer)).toBeGreaterThan(0.5);
    expect(relevance('社区工作者多久联系', hits.slice(0, 1), scorer)).toBeGreaterThan(0.5);
  });

  it('reads every passage the answer is drawn from, not only the first three', async () => {
    const { hits, scorer } = await found(
      passage('a', '钱塘区有4个建制型产业社区。', { title: '产业社区' }),
      passage('b', '钱塘区依托产业平台新建了5个功能型产业社区。', { title: '产业社区' }),
      passage('c', '钱塘芯谷产业社区是企业社会工作的试点社区。', { title: '产业社区' }),
      passage('d', '建制型产业社区侧重居住端。', { title: '产业社区' }),
      passage('e', '钱塘区制定了《产业社区高质量发展基本单元创建评价指标体系》。', { title: '政策文件' }),
    );
    // "产业社区好不好怎么评" had been refused: the evaluation index was the fifth passage.
    expect(relevance('产业社区好不好怎么评', hits, scorer)).toBeGreaterThan(0.5);
    expect(relevance('产业社区好不好怎么评', hits.slice(0, 4), scorer)).toBeLessThan(0.5);
  });
});

describe('what a question asks about that no document mentions', () => {
  it('is the last word before the particle, when neither it, a word inside it nor a synonym is in the index', async () => {
    const { scorer } = await found(
      passage('centres', '已建成下沙邻里中心、宁巢钱塘蓝领公寓产业邻里中心，临江产业邻里中心正在建设中。'),
      passage('services', '已提供技术技能培训、矛盾调节处理等服务。'),
      passage('area', '辖区建有大型生活居住区。'),
    );
    expect(unmentioned('蓝领公寓有健身房吗', scorer)).toBe('健身房');
    // What the house rules allow is a value the documents may not state ("管理规定"), not a thing they must mention.
    expect(unmentioned('蓝领公寓可以带宠物吗', scorer)).toBeUndefined();
    expect(unmentioned('邻里中心有停车位吗？', scorer)).toBe('停车位');
    expect(unmentioned('技能培训发证书么', scorer)).toBe('证书');
    expect(unmentioned('我在下沙上班，有没有免费体检', scorer)).toBe('体检');
    expect(unmentioned('蓝领公寓有wifi吗', scorer)).toBe('wifi');
    // Asked as A-not-A, as with 吗.
    expect(unmentioned('蓝领公寓要不要押金', scorer)).toBe('押金');
    // "有没有" is read as written (床位 is known, a synonym of the rooms): asked with 吗, "有空床位"
    // read as 有空 and 床位 had been named as a thing never mentioned.
    expect(unmentioned('有没有空床位', scorer)).toBeUndefined();
    // The thing, not a pronoun: "有人" asks whether anyone is there in the evening.
    expect(unmentioned('培训晚上有人吗', scorer)).toBe('晚上');
    // An everyday word for help after what it is about, which is known: that help is asked about.
    expect(unmentioned('培训咨询有吗', scorer)).toBeUndefined();
    // Known: the word itself, a synonym (调解 of 矛盾调节) or a word inside it (宿舍 of 宿舍楼).
    expect(unmentioned('临江的邻里中心建好没有', scorer)).toBeUndefined();
    expect(unmentioned('工友之间闹矛盾有人调解吗', scorer)).toBeUndefined();
    expect(unmentioned('宿舍楼能住吗', scorer)).toBeUndefined();
    expect(unmentioned('有没有居住区', scorer)).toBeUndefined();
    // But a card, certificate or fee is not known by what it is for: 居住证 is not 居住.
    expect(unmentioned('可以办居住证吗', scorer)).toBe('居住证');
    // A word the documents use (服务, 培训) right after a rarer one they never do: the two together.
    expect(unmentioned('有没有相亲服务', scorer)).toBe('相亲服务');
    expect(unmentioned('有没有周末培训', scorer)).toBe('周末培训');
    // Not after an everyday word (方面); and written apart by 的, the rarer word is left to the threshold.
    expect(unmentioned('有没有各方面培训', scorer)).toBeUndefined();
    expect(unmentioned('有相亲的服务吗', scorer)).toBeUndefined();
    // Not a yes/no question: "什么" is no particle.
    // Asked of something: the nouns after the last 的, when the last is not known and one names a thing.
    expect(unmentioned('邻里中心的停车位怎么申请', scorer)).toBe('停车位');
    expect(unmentioned('蓝领公寓的押金是多少', scorer)).toBe('押金');
    expect(unmentioned('矛盾调节的服务对象是谁', scorer)).toBeUndefined();
    // Asking what kind of thing there is: the nouns after the asking ("有什么补贴", "有哪些房型").
    expect(unmentioned('区里对企业有什么补贴', scorer)).toBe('补贴');
    expect(unmentioned('蓝领公寓有哪些房型？', scorer)).toBe('房型');
    expect(unmentioned('员工能享受哪些服务', scorer)).toBeUndefined();
    // An everyday word for an aspect (内容, 特点) may be described in other words.
    expect(unmentioned('员工服务清单的内容有哪些', scorer)).toBeUndefined();
    expect(unmentioned('功能型社区的特点是什么', scorer)).toBeUndefined();
    expect(unmentioned('指导手册管什么', scorer)).toBeUndefined();
    expect(unmentioned('矛盾调节有什么特点吗', scorer)).toBeUndefined();
    // Asked how or where with no 的: the nouns of the clause, the last of them not known. 办理 is (a synonym of 申请).
    expect(unmentioned('居住证在哪办', scorer)).toBe('居住证');
    expect(unmentioned('办健康证去哪', scorer)).toBe('健康证');
    expect(unmentioned('蓝领公寓在哪', scorer)).toBeUndefined();
    // What a known word qualifies is the thing: "蓝领公寓健身房在哪" had been answered with the rooms.
    expect(unmentioned('蓝领公寓健身房在哪', scorer)).toBe('健身房');
    expect(unmentioned('邻里中心停车场在哪里', scorer)).toBe('停车场');
    // A word that holds the asking (几版) is no thing.
    expect(unmentioned('员工服务清单现在是几版', scorer)).toBeUndefined();
    // How it is asked (怎么办理, 怎么申请) names no thing: 办理 is in the documents (办理涉企服务), and
    // with it counted, "居住证怎么办理" was answered with where enterprises go.
    expect(unmentioned('居住证怎么办理', scorer)).toBe('居住证');
    expect(unmentioned('如何办理居住证', scorer)).toBe('居住证');
    expect(unmentioned('医保卡怎么申请', scorer)).toBe('医保卡');
    // A paper jieba tags as a verb is still a thing: "驾照怎么办理" was answered with where enterprises go.
    expect(unmentioned('驾照怎么办理', scorer)).toBe('驾照');
    expect(unmentioned('暂住证怎么申请', scorer)).toBe('暂住证');
    expect(unmentioned('宠物怎么办理托运', scorer)).toBe('托运');
    // How a value is asked is no thing: 关门 of "晚上几点关门" asks opening hours.
    expect(unmentioned('晚上几点关门', scorer)).toBeUndefined();
    expect(unmentioned('邻里中心怎么申请入住', scorer)).toBeUndefined();
  });
});

describe('where the asker is or what their job is, said before the question', () => {
  it('is left out of what is asked, unless it says more or is all there is', async () => {
    const { scorer: { tokenizer } } = await found(passage('centres', '已建成下沙邻里中心。'));
    expect(withoutWhoAndWhereIAm('我在医药港上班，邻里中心有几个？', tokenizer)).toBe('邻里中心有几个？');
    expect(withoutWhoAndWhereIAm('我是大创小镇的员工，想问下有什么培训', tokenizer)).toBe('想问下有什么培训');
    expect(withoutWhoAndWhereIAm('我们公司在医药港，员工能享受哪些服务', tokenizer)).toBe('员工能享受哪些服务');
    expect(withoutWhoAndWhereIAm('我在医药港上班，医药港是什么类型的社区', tokenizer)).toBe('医药港是什么类型的社区');
    // So is what their job is: HR is no word of the documents, and made the question look unanswered.
    expect(withoutWhoAndWhereIAm('我是HR，想了解企业能享受哪些服务', tokenizer)).toBe('想了解企业能享受哪些服务');
    expect(withoutWhoAndWhereIAm('你好，我是医药港一家公司的人事。企业服务有哪些', tokenizer)).toBe('你好，企业服务有哪些');
    // A kind of firm the district's terms do not name is who asks: 新能源 made the question unanswered.
    expect(withoutWhoAndWhereIAm('我们是新能源企业，想了解区里对企业有哪些服务', tokenizer)).toBe('想了解区里对企业有哪些服务');
    expect(withoutWhoAndWhereIAm('我是一家做电池的公司的HR，员工宿舍怎么申请', tokenizer)).toBe('员工宿舍怎么申请');
    // One they name (生物医药 has its own service point) is part of the question.
    const kept = ['我们是生物医药企业，区里有没有专门对接的服务点？', '我在医药港上班', '我在医药港能住邻里中心吗', '我们的服务清单有哪些', '我是HR'];
    for (const question of kept) expect(withoutWhoAndWhereIAm(question, tokenizer), question).toBe(question);
  });
});
