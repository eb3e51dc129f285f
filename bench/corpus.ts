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

/**
 * Synthetic district documents built from the knowledge base's own vocabulary: ten one-chunk
 * sections each, mostly administrative filler with domain words mixed in, so they compete with the
 * real passages the way a large archive of notices would.
 */
export function syntheticDocuments(count: number, realText: string, tokenizer: Tokenizer, seed: number): KnowledgeDocument[] {
  const next = random(seed);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  const domain = [...new Set(tokenizer.tokenize(realText).filter((token) => [...token].length >= 2))];
  const sentence = () => {
    const words = Array.from({ length: 6 + Math.floor(next() * 8) }, () => (next() < 0.25 ? pick(domain) : pick(FILLER)));
    return `${words.join('')}${pick(['。', '。', '；', '！'])}`;
  };
  return Array.from({ length: count }, (_, n) => {
    const sections = Array.from({ length: 10 }, (_, k) => `## 第${k + 1}节\n${Array.from({ length: 3 + Math.floor(next() * 3) }, sentence).join('')}`);
    const title = `综合资料汇编${n + 1}`;
    return { source: `synthetic/${n + 1}.md`, format: 'md', title, tags: [], text: `# ${title}\n${sections.join('\n')}`, contentHash: `synthetic-${seed}-${n}` } satisfies KnowledgeDocument;
  });
}
