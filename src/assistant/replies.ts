import { acknowledges, announcesQuestion, declinesOffer, praises } from './router.ts';
import type { MediaKind } from './types.ts';

/** Everything the assistant says on its own, in one place, in plain Chinese. */
export const replies = {
  greeting: '你好！我是小融，钱塘区产业社区的助手。可以问我邻里中心、产业社区服务、企业服务、员工服务清单等问题；需要人帮忙时回复"转人工"，我帮你联系社区工作者。',
  goAhead: '请说，你想了解什么？邻里中心、产业社区服务、企业服务、员工服务清单等都可以问我；需要人帮忙时回复"转人工"。',
  thanks: '不客气！还有问题随时找我。',
  praised: '谢谢你的肯定！还有问题随时找我。',
  farewell: '好的，有需要随时找我。',
  acknowledged: '好的。还有问题随时问我；需要社区工作者帮忙时回复"转人工"。',
  chineseOnly: '小融目前只能读懂中文。请用中文告诉我你想了解什么，例如"邻里中心在哪里"；需要人帮忙时回复"转人工"。',
  outOfScope: '这个我帮不上忙。我可以解答钱塘区产业社区的政策和服务，或者帮你联系社区工作者。',
  noAnswer: '现有资料里没有找到这个问题的说明，我不想给你不准确的信息。回复"转人工"，社区工作者会为你查询。',
  // Said, not asked ("食堂饭里吃出虫子"): nothing is to be looked up, and a person can help.
  noAnswerToStatement: '这个情况现有资料里没有相关说明。需要社区工作者帮忙的话，回复"转人工"，我帮你登记。',
  noAnswerAbout: (question: string) => `关于"${question}"，现有资料里没有找到说明，我不想给你不准确的信息。回复"转人工"，社区工作者会为你查询。`,
  unmentioned: (thing: string, related: string) =>
    `现有资料里没有提到"${thing}"，我不想给你不准确的信息。回复"转人工"，社区工作者会为你查询。${related ? `\n资料里相关的内容：${related}` : ''}`,
  notStated: (what: string) => `现有资料里没有写明${what}，我不想给你不准确的信息。回复"转人工"，社区工作者会为你查询。`,
  // Asked beside a request that is being filed: the worker who takes it can be asked.
  notStatedBeside: (what: string) => `现有资料里没有写明${what}，社区工作者联系你时可以一并问问。`,
  countNotOf: (thing: string) => `现有资料没有单独写明${thing}的数字，资料里写的是：`,
  timeNotStated: '现有资料没有写明具体时间，资料里写的是：',
  countNotStated: '现有资料没有写明具体数字，资料里写的是：',
  faultFound: '抱歉，刚才的回答没有帮到你。可以换个说法再问我一次；也可以回复"转人工"，社区工作者会为你查询这个问题。',
  nextStep: (label: string) => `需要${label}方面的帮助，可以回复"转人工"，由社区工作者联系你。`,
  expiredNote: (date: string) => `（提醒：所依据的文件已于${date}失效，以下内容仅供参考，现行规定请回复"转人工"确认。）`,
  modelInterrupted: '\n（回答生成中断，以下是资料原文要点）\n',
  movedToDirect: '收到，我私信联系你，帮你对接社区工作者。',
  directOpening: '你好，刚才群里说的情况我们单独聊。',
  handoffIntro: (label: string) => `好的，这件事需要社区工作者来办（${label}）。`,
  textOnly: (media: MediaKind | 'link') =>
    `${media === 'voice' ? '小融暂时听不了语音' : media === 'link' ? '小融暂时打不开链接' : '小融暂时看不了图片、视频和文件'}，请打字告诉我需要什么。需要人帮忙时回复"转人工"，社区工作者会联系你。`,
} as const;

/** Thanks ("谢谢", "辛苦了", "麻烦你了"), answered "不客气". */
export const THANKS = /谢|感谢|辛苦|麻烦(?:你|您)?了/;
const FAREWELL = /再见|拜拜|晚安|回头见|下次见|bye/i;

/** The greeting route covers hello, thanks and goodbye: answer each as a person would. */
export function greetingReply(text: string): string {
  if (FAREWELL.test(text) || declinesOffer(text)) return replies.farewell;
  if (THANKS.test(text)) return replies.thanks;
  if (praises(text)) return replies.praised;
  if (acknowledges(text)) return replies.acknowledged;
  // "在吗，问个问题", "你好，我是行政小王，有个问题": the question is still to come.
  const clauses = text.split(/[\s\p{P}]+/u).filter(Boolean);
  if (clauses.length && announcesQuestion(clauses.at(-1)!)) return replies.goAhead;
  return replies.greeting;
}
