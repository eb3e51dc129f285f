import type { KnowledgeDocument } from '../src/knowledge/document.ts';
import type { Tokenizer } from '../src/retrieval/tokenizer.ts';

/** A small deterministic PRNG (mulberry32): the same seed, the same corpus. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Everyday administrative words: most of a synthetic passage, as in real notices.
const FILLER = `工作 安排 相关 情况 推进 开展 组织 落实 完善 提升 管理 活动 项目 人员 时间 地点 要求 通知 会议 部门 单位 材料 申报 审核 办理 流程 窗口 咨询 登记 预约 公示 结果 名单 计划 方案 措施 保障 检查 整改 宣传 培训班 讲座 交流 座谈 走访 调研 统计 台账 考勤 安全 消防 卫生 食堂 停车 快递 班车 门禁 维修 物业 水电 网络 值班 节假日 周末 上午 下午 晚上 每月 每周 季度 年度`.split(' ');

// Characters that make up the names of the parks, firms and programmes an archive keeps mentioning.
const NAME_CHARACTERS = [...'星河云海新华东方金桥恒瑞天成盛远宏达永安福康佳和兴业嘉禾创智博远华宇晨光同心'];
const NAME_SUFFIXES = ['园区', '公司', '项目', '服务站', '驿站', '专班', '联盟', '工作室'];

/**
 * Synthetic district documents built from the knowledge base's own vocabulary. Like a real archive of
 * notices, they come in families — a firm, a park or a programme written about again and again, each
 * with its own few domain words — so they form topics rather than one uniform cloud: ten one-chunk
 * sections each, of administrative filler, the family's name and topic words, some other domain
 * words, dates and counts. They compete with the real passages for the same words.
 */
export function syntheticDocuments(count: number, realText: string, tokenizer: Tokenizer, seed: number): KnowledgeDocument[] {
  const next = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const domain = [...new Set(tokenizer.tokenize(realText).filter((token) => [...token].length >= 2))];
  const families = Array.from({ length: Math.max(1, Math.ceil(count / 20)) }, () => ({
    name: `${pick(NAME_CHARACTERS)}${pick(NAME_CHARACTERS)}${pick(NAME_SUFFIXES)}`,
    topic: Array.from({ length: 4 }, () => pick(domain)),
  }));
  const sentence = (family: (typeof families)[number]) => {
    const words = Array.from({ length: 6 + Math.floor(next() * 8) }, () => {
      const roll = next();
      if (roll < 0.05) return family.name;
      if (roll < 0.2) return pick(family.topic);
      if (roll < 0.3) return pick(domain);
      if (roll < 0.35) return pick([`${1 + Math.floor(next() * 12)}月${1 + Math.floor(next() * 28)}日`, `${1 + Math.floor(next() * 300)}人`, `${1 + Math.floor(next() * 50)}家`]);
      return pick(FILLER);
    });
    return `${words.join('')}${pick(['。', '。', '；', '！'])}`;
  };
  return Array.from({ length: count }, (_, n) => {
    const family = families[Math.floor(next() * families.length)]!;
    const sections = Array.from({ length: 10 }, (_, k) => `## 第${k + 1}节\n${Array.from({ length: 3 + Math.floor(next() * 3) }, () => sentence(family)).join('')}`);
    const title = `${family.name}工作简报${n + 1}`;
    return { source: `synthetic/${n + 1}.md`, format: 'md', title, tags: [], text: `# ${title}\n${sections.join('\n')}`, contentHash: `synthetic-${seed}-${n}` } satisfies KnowledgeDocument;
  });
}
