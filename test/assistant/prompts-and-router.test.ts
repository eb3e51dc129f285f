import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Categories } from '../../src/assistant/categories.ts';
import { LocalRouter, loadRouterExamples } from '../../src/assistant/local-router.ts';
import { acceptsOffer, acknowledges, announcesQuestion, asksForPerson, asksSomething, declinesOffer, findsFault, onlyGreets, praises, Router, withoutCourtesies } from '../../src/assistant/router.ts';
import { NaiveBayes } from '../../src/assistant/naive-bayes.ts';
import { parseEvalFile } from '../../src/eval/eval-file.ts';
import { loadGlossary } from '../../src/knowledge/glossary.ts';
import { Prompts } from '../../src/llm/prompts.ts';
import { Tokenizer } from '../../src/retrieval/tokenizer.ts';
import { askedWithMa, plainParticles } from '../../src/retrieval/text.ts';
import { silentLogger, temporaryDirectory, testApp } from '../helpers.ts';

describe('prompts', () => {
  it('loads the shipped templates and fills placeholders once, leaving user text untouched', async () => {
    const prompts = await Prompts.load(path.resolve('prompts'));
    const rendered = prompts.render('router', { categories: '- repair：报修', message: '请输出 {{categories}}' });
    expect(rendered).toContain('- repair：报修');
    expect(rendered).toContain('请输出 {{categories}}');
  });

  it('fails start, naming the file and placeholder, when a template lacks one or has an unknown one', async () => {
    const { dir, cleanup } = await temporaryDirectory();
    await cp(path.resolve('prompts'), dir, { recursive: true });
    const answer = path.join(dir, 'answer.md');
    await writeFile(answer, (await readFile(answer, 'utf8')).replace('{{passages}}', '{{pasages}}'));
    await expect(Prompts.load(dir)).rejects.toThrow(/answer\.md lacks the placeholder\(s\) \{\{passages\}\}.*answer\.md has unknown placeholder\(s\) \{\{pasages\}\}/);
    await expect(testApp({}, { root: await rootWithPrompts(dir) })).rejects.toThrow(/Prompt templates are broken/);
    await cleanup();
  });
});

/** A copy of the project's config with a given prompts directory, as createApp reads them. */
async function rootWithPrompts(promptsDir: string): Promise<string> {
  const { dir } = await temporaryDirectory();
  await cp(path.resolve('config'), path.join(dir, 'config'), { recursive: true });
  await cp(promptsDir, path.join(dir, 'prompts'), { recursive: true });
  return dir;
}

describe('a message that only asks for a person', () => {
  it('is any wording of asking for one, and nothing about a matter', () => {
    for (const text of ['转人工', '人工服务！', '找社工', '我要找社区工作者', '好的，转人工吧', '那你帮我问一下社工吧', '帮我问问', '可以转人工吗', '找谁', '那我该找谁呢', '应该问谁', '那怎么办', '谁知道', '有人能帮我吗', '谁可以帮帮我']) expect(asksForPerson(text), text).toBe(true);
    for (const text of ['社工站在哪', '社工是干嘛的', '我要投诉社工', '人工智能是什么', '帮我问问房租多少', '谢谢社工', '你好', '需要', '工资被拖欠找谁', '你是谁', '热水器坏了怎么办', '谁能帮我修空调']) expect(asksForPerson(text), text).toBe(false);
  });

  it('is "需要" only as yes to a person just offered', () => {
    for (const text of ['需要', '要的', '好的，需要', '需要，谢谢']) expect(acceptsOffer(text), text).toBe(true);
    for (const text of ['好的', '不需要', '需要住房', '谢谢']) expect(acceptsOffer(text), text).toBe(false);
  });

  it('tells no to a person offered from a request', () => {
    for (const text of ['不需要', '不用了，谢谢', '谢谢，不用了', '暂时不需要', '算了', '没事了', '那算了', '那就不用了吧']) expect(declinesOffer(text), text).toBe(true);
    for (const text of ['不要吵架', '需要', '不需要加班费吗', '好的', '好的，谢谢']) expect(declinesOffer(text), text).toBe(false);
  });

  it('tells "好的", "嗯嗯，知道了" from a question or a request', () => {
    for (const text of ['好的', '嗯嗯，知道了', '收到', '可以', 'OK', '明白了！', '好吧', '那好吧', '行吧']) expect(acknowledges(text), text).toBe(true);
    for (const text of ['可以调解吗', '好的，需要', '对了，邻里中心在哪', '你好', '好的谢谢']) expect(acknowledges(text), text).toBe(false);
  });

  it('tells praise from a mood, a complaint or a greeting', () => {
    for (const text of ['师傅人很好', '社工很负责', '你们服务真好！', '小融真棒', '工作人员态度很好', '修得很好']) expect(praises(text), text).toBe(true);
    for (const text of ['心情不是很好', '社工态度很差', '你们好', '今天天气很好', '师傅能修好吗', '服务太慢了', '社工没有很负责', '8小时外的服务是谁负责']) expect(praises(text), text).toBe(false);
  });
});

describe('local router', () => {
  /** The local router as shipped: the repository's glossary, categories and examples. */
  const shippedRouter = async () => {
    const glossary = await loadGlossary(path.resolve('knowledge/glossary.yaml'));
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    return new LocalRouter(await loadRouterExamples(path.resolve('config/router-examples.yaml'), categories), glossary, new Tokenizer(glossary));
  };

  it('is a classifier trained from examples: naive Bayes learns what it is shown', () => {
    const model = new NaiveBayes<'a' | 'b'>();
    model.add('a', ['x', 'y']);
    model.add('b', ['z']);
    expect(model.predict(['x']).label).toBe('a');
    expect(model.predict(['z']).label).toBe('b');
    expect(model.predict(['x']).probability).toBeGreaterThan(0.5);
    // More training after a prediction counts in the next one.
    model.add('b', ['x', 'x', 'x', 'x']);
    expect(model.predict(['x']).label).toBe('b');
    expect(model.predict(['unseen']).probabilities).toEqual({ a: 0.5, b: 0.5 });
  });

  it('learns a category the district adds in config, from its examples alone', async () => {
    const glossary = await loadGlossary(path.resolve('knowledge/glossary.yaml'));
    const categories = new Categories([
      ...(await Categories.load(path.resolve('config/categories.yaml'))).list,
      { name: 'childcare', label: '托育', sensitive: false, toSupervisor: false, acceptMinutes: 30, escalateAfterMinutes: 15, resolveHours: 72 },
    ]);
    const { dir, cleanup } = await temporaryDirectory();
    const file = path.join(dir, 'examples.yaml');
    const shipped = await readFile(path.resolve('config/router-examples.yaml'), 'utf8');
    await expect(loadRouterExamples(path.resolve('config/router-examples.yaml'), categories)).rejects.toThrow(/no examples for the category "childcare"/);
    await writeFile(file, `${shipped}\n  childcare:\n    - 孩子没人带\n    - 想找托儿所\n    - 小孩放学没人接\n    - 幼儿托管\n`);
    const router = new LocalRouter(await loadRouterExamples(file, categories), glossary, new Tokenizer(glossary));
    expect(router.route('帮我找个托儿所，孩子没人带').category).toBe('childcare');
    await cleanup();
  });

  it('reads a Latin word as one unit, so the letters of a technical term do not sound like "hi"', async () => {
    const router = await shippedRouter();
    expect(router.features('JavaScript 闭包')).toEqual(expect.arrayContaining(['javascript', 'javascript闭', '闭包']));
    expect(router.features('JavaScript 闭包')).not.toContain('j');
    expect(router.route('javascript的闭包是什么').route).not.toBe('greeting');
    expect(router.route('hello').route).toBe('greeting');
    expect(router.route('宿舍wifi断了')).toMatchObject({ route: 'handoff', category: 'repair' });
  });

  it('hears "what can you do for me" as a greeting, and the need said with it as the request', async () => {
    const router = await shippedRouter();
    for (const text of ['你能帮我什么', '有什么可以帮我的吗？', '我刚来钱塘，有什么可以帮我的', '刚到医药港上班，人生地不熟，你都能干点啥']) expect(router.asksWhatItCanDo(text), text).toBe(true);
    for (const text of ['你们能提供什么服务', '邻里中心能做什么', '有什么可以帮我找工作的', '刚来没地方住，有什么可以帮我的']) expect(router.asksWhatItCanDo(text), text).toBe(false);
    // Asked as a question, the need was taken for a question to the documents.
    expect(router.route('刚来没地方住，有什么可以帮我的')).toMatchObject({ route: 'handoff', category: 'housing' });
    expect(router.route('我刚来钱塘，被公司开除了，你能帮我什么')).toMatchObject({ route: 'handoff', category: 'dispute' });
    // Not knowing what to do or whom to ask, or only that one is new, asks the same: "我是新来的，不知道该干啥"
    // had been a dispute, "刚来杭州，人生地不熟" housing.
    for (const text of ['我是新来的，不知道该干啥', '刚来杭州，人生地不熟', '不知道找谁']) expect(router.asksWhatItCanDo(text), text).toBe(true);
    expect(router.route('宿舍热水器坏了，不知道找谁')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.asksWhatItCanDo('我不知道怎么办')).toBe(false);
  });

  it('takes a question it barely hears as a greeting, or a message clearly about a service, for what it more likely is', async () => {
    const router = await shippedRouter();
    // "法律咨询有吗" was a greeting at 0.45, sounding like "在吗".
    for (const text of ['法律咨询有吗', '有法律咨询吗']) expect(router.route(text).route, text).toBe('answer');
    // Heard as a greeting at 0.81, or out of scope like "手机屏幕碎了", but clearly about a service.
    expect(router.route('停电了什么时候来电')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('窗户玻璃碎了')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('手机屏幕碎了怎么办').route).toBe('out_of_scope');
    // "晚上…" sounded like "晚上好": asking only for the hours is a question, and not sleeping is no hello.
    for (const text of ['晚上几点关门', '早上几点开门']) expect(router.route(text).route, text).toBe('answer');
    expect(router.route('晚上失眠')).toMatchObject({ route: 'handoff', category: 'mental_health' });
    // Whether anyone can be reached at night is a question: "晚上十点还能找到人吗" had been a greeting
    // (0.55), the others requests.
    for (const text of ['晚上十点还能找到人吗', '晚上还能找到人吗', '夜里能找到人吗']) expect(router.route(text).route, text).toBe('answer');
    // So is whether anyone is there at a time, or whom to reach then: "晚上有人吗" had been greeted, as
    // "有人吗" is, and "晚上找谁" filed as a 心理关怀 request; a trouble said with it is still a request.
    for (const text of ['晚上有人吗', '半夜有人在吗', '节假日还有社工值班吗', '晚上找谁', '周末能找谁']) expect(router.route(text).route, text).toBe('answer');
    expect(router.route('半夜水管爆了找谁')).toMatchObject({ route: 'handoff', category: 'repair' });
    // How long the service takes once asked for is a question ("登记完多久有人联系我" had been a request);
    // how long one has waited is a trouble told.
    for (const text of ['登记完多久有人联系我', '报修后多久来修']) expect(router.route(text).route, text).toBe('answer');
    expect(router.route('报修了好几天了还没人来')).toMatchObject({ route: 'handoff', category: 'repair' });
    for (const text of ['在吗', '你是机器人吗', '小融在么', '晚上好，在吗', '你晚上也在吗', '忙吗']) expect(router.route(text).route, text).toBe('greeting');
  });

  it('takes a question whether a place has a thing for a question, and a trouble said about the thing for a request', async () => {
    const router = await shippedRouter();
    // Each was a request ("好的，我来帮你登记报修" or "…住房"): 空调 and 宿舍 are said in requests most.
    for (const text of ['房间有空调吗', '宿舍有没有洗衣机', '宿舍有wifi吗']) expect(router.route(text).route, text).toBe('answer');
    for (const text of ['宿舍空调坏了', '房间没有空调', '房间有异味']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('有没有人能来修一下').route).toBe('handoff');
  });

  it('takes a question that only asks a price or how far for a question, however much it sounds like a request', async () => {
    const router = await shippedRouter();
    // Each was a housing request ("好的，我来帮你登记住房"): 宿舍 and 公寓 are said in requests most.
    for (const text of ['宿舍一个月多少钱', '请问，住宿舍要交钱吗', '公寓离厂远不远']) expect(router.route(text).route, text).toBe('answer');
    // Said with what is wrong, or with something to be done, it is still a request.
    expect(router.route('宿舍空调坏了，物业电话多少')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('帮我修空调，要多少钱')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('我想申请人才公寓，房租多少')).toMatchObject({ route: 'handoff', category: 'housing' });
    // Typed as a search is, naming the value: "蓝领公寓申请条件" was a housing request, "维修电话" a greeting.
    for (const text of ['蓝领公寓申请条件', '蓝领公寓申请材料', '宿舍费用', '维修电话']) expect(router.route(text).route, text).toBe('answer');
    expect(router.route('宿舍空调坏了，物业电话')).toMatchObject({ route: 'handoff', category: 'repair' });
    // "维修电话多少" sounded like "彩票号码是多少" (out of scope at 0.98); it asks a value of a service.
    for (const text of ['维修电话多少', '维修电话是多少']) expect(router.route(text).route, text).toBe('answer');
    for (const text of ['彩票号码是多少', '中国有多少人口', '修手机多少钱']) expect(router.route(text).route, text).toBe('out_of_scope');
  });

  it('routes what is asked, not where the asker is or what their job is', async () => {
    const router = await shippedRouter();
    // Where one's company is, said first, made a question a request for enterprise services.
    expect(router.route('我们公司在芯谷，有社工站吗').route).toBe('answer');
    expect(router.route('我在医药港，宿舍热水器坏了')).toMatchObject({ route: 'handoff', category: 'repair' });
  });

  it('takes a question asked as A-not-A for what it is asked with 吗', async () => {
    expect(['蓝领公寓要不要押金', '可不可以带家属，多少钱', '贵不贵啊', '时不时停电'].map(askedWithMa)).toEqual(['蓝领公寓要押金吗', '可以带家属吗，多少钱', '贵吗', '时不时停电']);
    const router = await shippedRouter();
    // 要不 sounded like "工钱要不回来": both were requests.
    for (const text of ['蓝领公寓要不要押金', '社企开放日要不要报名']) expect(router.route(text).route, text).toBe('answer');
    for (const text of ['能不能派人来修', '可不可以帮我登记', '工资是不是少发了', '有没有真人']) expect(router.route(text).route, text).toBe('handoff');
    // "我想问下" only says that a question follows: its 我想 had made one a request.
    expect(router.route('我想问下社企开放日要不要报名').route).toBe('answer');
    expect(router.route('我想问问宿舍能不能换')).toMatchObject({ route: 'handoff', category: 'housing' });
  });

  it('leaves out the thanks, hello or okay a message begins with, unless that is all it says', () => {
    expect(withoutCourtesies('谢谢，那临江的什么时候建好')).toBe('那临江的什么时候建好');
    expect(withoutCourtesies('你好呀，社企开放日要不要报名')).toBe('社企开放日要不要报名');
    expect(withoutCourtesies('好的，转人工')).toBe('转人工');
    for (const alone of ['你好呀小融', '谢谢', '你好，']) expect(withoutCourtesies(alone), alone).toBe(alone);
    expect(withoutCourtesies('好的，谢谢')).toBe('谢谢');
    // So does the word that a question follows: "还有一个问题" had made a request of it.
    expect(withoutCourtesies('还有一个问题，社企开放日要报名吗')).toBe('社企开放日要报名吗');
    expect(withoutCourtesies('我有个问题，邻里中心有几个')).toBe('邻里中心有几个');
    // Asking whether anyone is there is a hello too: "有人吗" alone had been answered with how soon a worker calls.
    expect(withoutCourtesies('有人吗？邻里中心有几个')).toBe('邻里中心有几个');
    for (const text of ['有人吗', '有人在吗？', '有没有人', '人呢', '你好，有人吗', '在吗']) expect(onlyGreets(text), text).toBe(true);
    for (const text of ['周末有人吗', '有人能帮我吗', '宿舍里有人打架', '你好，邻里中心有几个']) expect(onlyGreets(text), text).toBe(false);
  });

  it('knows a message that only says a question follows', async () => {
    for (const text of ['我想问下', '我有个问题', '我还有个问题', '还有一个问题', '问个问题', '请教个问题', '有个问题想问一下', '那我再问一个', '问个事', '请问', '我问一下啊'])
      expect(announcesQuestion(text), text).toBe(true);
    for (const text of ['没问题', '我有个事', '我想问问社工', '问题解决了吗', '我想问下邻里中心在哪', '宿舍有问题']) expect(announcesQuestion(text), text).toBe(false);
    const router = new Router(await shippedRouter(), await Categories.load(path.resolve('config/categories.yaml')));
    for (const text of ['我有个问题', '还有一个问题', '请教个问题']) expect((await router.route(text, silentLogger)).route, text).toBe('greeting');
    expect(acknowledges('没问题')).toBe(true);
  });

  it('takes asking whether there are dorms for housing, not a repair: 宿舍 is in most repair examples', async () => {
    const router = await shippedRouter();
    expect(router.route('有没有员工宿舍').route).toBe('answer');
    for (const text of ['有宿舍吗', '有没有宿舍']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'housing' });
    expect(router.route('宿舍灯坏了')).toMatchObject({ route: 'handoff', category: 'repair' });
  });

  it('reads a question ending in 么 as one ending in 吗, and leaves 什么 and 怎么 alone', async () => {
    expect(['小融在么', '有食堂么？', '这是什么', '怎么', '那么好'].map(plainParticles)).toEqual(['小融在吗', '有食堂吗？', '这是什么', '怎么', '那么好']);
    const router = await shippedRouter();
    expect(router.route('小融在么').route).toBe('greeting');
  });

  it('tells a politely asked question from a politely made request', async () => {
    const router = await shippedRouter();
    expect(router.route('麻烦问一下蓝领公寓有多少间').route).toBe('answer');
    expect(router.route('麻烦你们来看看，宿舍漏水')).toMatchObject({ route: 'handoff', category: 'repair' });
  });

  it('takes trouble told as "…了怎么办" for a request: the form of the question does not make it out of scope', async () => {
    const router = await shippedRouter();
    // None of these is an example; each was answered "这个我帮不上忙" while "电脑蓝屏了怎么办" was the only "…了怎么办" shown.
    expect(router.route('工资被拖欠了怎么办')).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.route('加班费不给怎么办')).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.route('空调坏了怎么办')).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.route('心情不好怎么办')).toMatchObject({ route: 'handoff', category: 'mental_health' });
    // What a worker's family needs is for a person too; what is out of scope is so by its subject.
    expect(router.route('孩子上学怎么办')).toMatchObject({ route: 'handoff', category: 'other' });
    expect(router.route('生病了没钱看病怎么办')).toMatchObject({ route: 'handoff', category: 'other' });
    expect(router.route('股票跌了怎么办').route).toBe('out_of_scope');
    expect(router.route('考试没考好怎么办').route).toBe('out_of_scope');
    // Wanting to learn a trade is training; how to learn a hobby or a language is not the district's.
    expect(router.route('想学点手艺')).toMatchObject({ route: 'handoff', category: 'training' });
    expect(router.route('怎么学英语').route).toBe('out_of_scope');
  });

  it('takes asking how to get a paper, or whether something can be done some way, for a question, unless it asks for one of the services or for it to be done', async () => {
    const router = await shippedRouter();
    // Each was a request, and "居住证怎么办理" went to 心理关怀, in private, for the 理 of 心理.
    for (const text of ['居住证怎么办理', '如何办理居住证', '护照怎么办理', '医保卡怎么申请']) expect(router.route(text).route, text).toBe('answer');
    // "怎么办" after a paper asks how to get it: "社保卡怎么办" and "社保卡丢了怎么办" were 矛盾调解
    // requests, in private, and "健康证怎么办？", "身份证丢了怎么办" out of scope ("这个我帮不上忙").
    for (const text of ['社保卡怎么办', '健康证怎么办？', '居住证怎么办呢', '社保卡丢了怎么办', '身份证丢了怎么办']) expect(router.route(text).route, text).toBe('answer');
    expect(router.route('考试没考好怎么办').route).toBe('out_of_scope');
    // A paper or a wallet lost, told, is for a person under 其他: "社保卡丢了" was 矛盾调解, for the 社保 of "不给交社保".
    for (const text of ['社保卡丢了', '钱包丢了']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'other' });
    expect(router.route('怎么报名技能培训')).toMatchObject({ route: 'handoff', category: 'training' });
    expect(router.route('工资被拖欠了怎么申请调解')).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.route('帮我办理居住证').route).toBe('handoff');
    // So is whether something can be done some way: "能在网上办吗" was 报修 (网 of 网络), "可以网上申请吗" 住房.
    for (const text of ['能在网上办吗', '网上能办吗', '可以网上申请吗']) expect(router.route(text).route, text).toBe('answer');
    // Naming nothing but the asker, it is left to the classifier.
    expect(router.route('能不能登记')).toMatchObject({ route: 'handoff', category: 'housing' });
    // A trouble told with how to seek redress is a request, however it is asked.
    for (const text of ['工伤了怎么申请赔偿', '被辞退了怎么申请仲裁']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.route('热水器坏了怎么办')).toMatchObject({ route: 'handoff', category: 'repair' });
  });

  it('files losing one’s job or a fight where one lives as a dispute and being worn down at work as mental health, not as a repair or housing', async () => {
    const router = await shippedRouter();
    // None of these is an example. Short trouble ending in 了 sounded like "灯坏了": "被开除了" was a repair.
    expect(router.categoryOf('公司把我开除了')).toBe('dispute');
    expect(router.categoryOf('厂里裁员把我裁了')).toBe('dispute');
    expect(router.categoryOf('突然被辞退了')).toBe('dispute');
    // Being pressed to sign a contract is a worker's dispute with the employer, not an enterprise service
    // (0.54 to 0.46 before); a company signing with the community still is one.
    for (const text of ['公司要我签空白合同', '合同到期了公司不续签']) expect(router.categoryOf(text), text).toBe('dispute');
    expect(router.categoryOf('我们公司想和社区签合作协议')).toBe('enterprise_service');
    // A child's schooling is no housing matter, though 孩子 is said in "带孩子过来住需要房子".
    for (const text of ['孩子想在这边读书', '孩子读书的事']) expect(router.categoryOf(text), text).toBe('other');
    expect(router.categoryOf('老婆孩子过来没地方住')).toBe('housing');
    // Housing asked for as HR asks it: 员工 and 问题 had made it 其他.
    for (const text of ['员工住宿问题怎么解决', '员工住宿问题']) expect(router.categoryOf(text), text).toBe('housing');
    // So is housing for new hires: 招了 and 工人 had made it a dispute (0.39 to 0.33).
    for (const text of ['公司新招了50个工人，住宿怎么解决', '厂里招了一批人没地方住']) expect(router.categoryOf(text), text).toBe('housing');
    expect(router.route('公司裁员了怎么办')).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.route('失业了怎么办')).toMatchObject({ route: 'handoff', category: 'other' });
    expect(router.categoryOf('上班太累了')).toBe('mental_health');
    expect(router.categoryOf('被同事孤立了')).toBe('mental_health');
    expect(router.categoryOf('感觉撑不下去了')).toBe('mental_health');
    // "问题" is what other's examples say ("帮我反映个问题"): "心理有问题" was other.
    expect(router.route('员工心理有问题可以找谁')).toMatchObject({ route: 'handoff', category: 'mental_health' });
    expect(router.categoryOf('我心理有问题')).toBe('mental_health');
    // A noisy neighbour is a dispute, a lease running out housing, a debt no repair; none is the example
    // it was learnt from ("楼上太吵" had been 心理关怀, "租房合同到期了怎么办" a dispute, "网贷逾期了" 报修).
    expect(router.categoryOf('楼上太吵')).toBe('dispute');
    expect(router.route('租房合同到期了怎么办')).toMatchObject({ route: 'handoff', category: 'housing' });
    expect(router.categoryOf('网贷逾期了')).toBe('other');
    // Things broken still are repairs, and "报个修" is no "报个名".
    expect(router.route('我要报个修')).toMatchObject({ route: 'handoff', category: 'repair' });
    // "想报" was 报名: "我想报修" was training.
    for (const text of ['能报个修吗', '想报修', '我想报个修']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'repair' });
    for (const text of ['想报个名', '我想报个培训班']) expect(router.categoryOf(text), text).toBe('training');
    expect(router.categoryOf('插座没电了')).toBe('repair');
    // The network at home is a repair too: "wifi连不上" had been greeted, "网速太慢" a mood.
    for (const text of ['wifi连不上了', '网速太慢', '连不上网']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'repair' });
    expect(router.categoryOf('宿舍漏雨了')).toBe('repair');
    // A fight where one lives is a dispute, not housing, which 宿舍 sounded like; a noisy dorm still is housing.
    for (const text of ['有人在宿舍打架', '宿舍里吵架']) expect(router.route(text), text).toMatchObject({ route: 'handoff', category: 'dispute' });
    expect(router.categoryOf('宿舍太吵了')).toBe('housing');
  });

  it('files a request under other only when no specific category is plausible', async () => {
    const router = await shippedRouter();
    // "帮我约个…" is what other's examples sound like, but this is about mental health (other 0.56, mental health 0.43).
    expect(router.categoryOf('工作压力太大快撑不住了 帮我约个心理咨询')).toBe('mental_health');
    expect(router.categoryOf('想咨询一下孩子上学的事')).toBe('other');
    expect(router.categoryOf('帮我反映个事情')).toBe('other');
    // Asking for someone is what other's examples are made of ("帮我找个人"): what is left decides.
    expect(router.categoryOf('工作压力大帮我找个人咨询')).toBe('mental_health');
    expect(router.categoryOf('老板不发工资帮我找个人')).toBe('dispute');
    expect(router.categoryOf('帮我找个人')).toBe('other');
    // With the asking gone nothing is left to decide on: "能帮我找个人吗" had been filed under 技能培训.
    expect(router.categoryOf('能帮我找个人吗')).toBe('other');
    expect(router.categoryOf('帮我查下快递')).toBe('other');
    // Leave from work is no room: "我想请假" had been filed under 住房. Refused leave is still a dispute.
    expect(router.categoryOf('我想请假')).toBe('other');
    expect(router.categoryOf('老板不让请假')).toBe('dispute');
    // Every request goes to a community: naming it says nothing of what the request is about.
    expect(router.categoryOf('社区能帮忙修空调吗')).toBe('repair');
    expect(router.categoryOf('社区能帮忙调解矛盾吗')).toBe('dispute');
    expect(router.categoryOf('社区能帮忙做心理疏导吗')).toBe('mental_health');
    expect(router.categoryOf('企业想请社区帮忙招工')).toBe('enterprise_service');
    // A spouse, an activity for workmates and the canteen are not disputes.
    expect(router.categoryOf('我老婆也在这边打工，能一起住吗')).toBe('housing');
    expect(router.categoryOf('我想给厂里的工友办个活动，社区能支持吗')).toBe('enterprise_service');
    expect(router.categoryOf('厂里食堂太难吃了')).toBe('complaint');
    // Asking words (帮我, 一下) are what housing's examples begin with: 调解 decides.
    expect(router.categoryOf('可以帮我调解一下吗')).toBe('dispute');
    // A debt is no repair: "还不上" had sounded like "连不上" and "关不上".
    for (const text of ['欠了网贷还不上', '信用卡还不上了', '借了钱还不上']) expect(router.categoryOf(text), text).toBe('other');
  });

  it('files a request under a category with saidWith words only when it says one of them', async () => {
    const glossary = await loadGlossary(path.resolve('knowledge/glossary.yaml'));
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    const examples = await loadRouterExamples(path.resolve('config/router-examples.yaml'), categories);
    const router = new LocalRouter(examples, glossary, new Tokenizer(glossary), categories);
    // 办事 sounds like "办事拖拉想投诉", but nothing here complains: not for the supervisor.
    expect(new LocalRouter(examples, glossary, new Tokenizer(glossary)).categoryOf('能不能线下办事')).toBe('complaint');
    expect(router.categoryOf('能不能线下办事')).not.toBe('complaint');
    expect(router.categoryOf('社工态度不好')).toBe('complaint');
    expect(router.categoryOf('厂里食堂太难吃了')).toBe('complaint');
    expect(router.clearCategoryOf('能不能线下办事')).not.toBe('complaint');
    // Without the complaint, what is left is no more plausible: "食堂太贵了" had been a repair.
    expect(router.categoryOf('食堂太贵了')).toBe('other');
    const dir = await temporaryDirectory();
    try {
      const file = path.join(dir.dir, 'categories.yaml');
      await writeFile(file, 'categories:\n  - { name: complaint, label: 投诉, saidWith: [] }\n  - { name: other, label: 其他 }\n');
      await expect(Categories.load(file)).rejects.toThrow(/saidWith/);
    } finally {
      await dir.cleanup();
    }
  });

  it('sees a one-character synonym only as a word of the text, as retrieval does', async () => {
    const glossary = await loadGlossary(path.resolve('knowledge/glossary.yaml'));
    const categories = await Categories.load(path.resolve('config/categories.yaml'));
    const router = new LocalRouter(await loadRouterExamples(path.resolve('config/router-examples.yaml'), categories), glossary, new Tokenizer(glossary));
    const money = `syn:${glossary.synonyms.findIndex((group) => group.includes('钱'))}`;
    const worry = `syn:${glossary.synonyms.findIndex((group) => group.includes('烦'))}`;
    expect(router.features('钱塘区有几个产业社区')).not.toContain(money);
    expect(router.features('老板不给钱')).toContain(money);
    expect(router.features('麻烦问一下蓝领公寓在哪')).not.toContain(worry);
    expect(router.features('心里很烦')).toContain(worry);
  });

  it('is not trained on the labelled questions it is measured with', async () => {
    const shipped = await readFile(path.resolve('config/router-examples.yaml'), 'utf8');
    const examples = new Set([...shipped.matchAll(/^ {4}- (.+)$/gm)].map((match) => match[1]!.trim()));
    const lines = parseEvalFile(await readFile(path.resolve('test/eval/questions.jsonl'), 'utf8'));
    // 转人工 is the command itself; every other labelled question is unseen text.
    const overlap = lines.map((line) => line.question).filter((question) => examples.has(question) && question !== '转人工');
    expect(overlap).toEqual([]);
  });
});

describe('whether a message finds fault with the answer', () => {
  it('is short, and about the bot or its answer or nothing but the fault', () => {
    for (const text of ['你回答的不对', '答非所问', '没用', '你说的不准确', '听不懂你说的', '你太笨了', '不对啊']) expect(findsFault(text), text).toBe(true);
    for (const text of ['宿舍空调没用了', '不对，是热水器坏了', '你说的不对，芯谷到底有几个邻里中心', '老板给的工资不对']) expect(findsFault(text), text).toBe(false);
  });
});

describe('whether a message asks something', () => {
  it('knows a question by its mark, particle, question word, A-not-A, a choice or a clause ending in 没 or 不, and a statement by none', () => {
    for (const asked of ['在吗', '那芯谷的呢', '邻里中心能住么', '有没有培训', '宿舍热水器坏了？', '住的地方太远了怎么办', '芯谷邻里中心建好没', '几点开门', '能住不，两个人', '修好要多久', '人才公寓贵不贵', '离厂里远不远', '空调修没修好', '员工服务清单现在是几版', '医药港社区是上班时间服务还是下班后服务', '公寓租期多长']) {
      expect(asksSomething(asked), asked).toBe(true);
    }
    for (const said of ['心里难受', '我在芯谷上班', '宿舍几天没热水了', '住的地方太远了', '不需要', '主管动不动就骂人', '宿舍时不时停电', '还是没修好']) expect(asksSomething(said), said).toBe(false);
  });
});
