import { addressBookOf } from './roster.ts';
import { formatTicketId, type RequesterAddress, type Ticket } from './ticket.ts';

const display = (name: string) => name;
const where = (ticket: Ticket) => (ticket.requester.conversationKind === 'group' ? '群聊' : '私聊');
/** Where staff would look for someone: the app they wrote from, as staff call it (every WeCom channel is 企业微信). */
const CHANNEL_NAMES: Record<string, string> = { wechaty: '微信', wecom: '企业微信', web: '网页' };
export const channelName = (channel: string) => CHANNEL_NAMES[addressBookOf(channel)] ?? channel;
/** "企业微信私聊": where to find the person, for whoever is to call them back. */
const reachedAt = (requester: RequesterAddress) => `${channelName(requester.channel)}${requester.conversationKind === 'group' ? '群聊' : '私聊'}`;

/** Said while the community is asked for, when a dispatcher takes requests whose community is not known. */
const UNPLACED_OFFER = '不清楚的话回复"不清楚"，我先转给社区工作者帮你对接。';

/** What the handoff desk says, in plain Chinese. Ticket numbers are always said aloud as #1024. */
export const deskMessages = {
  askCommunity: (matter: string) => `好的，我来帮你登记${matter}。请问你在哪个产业社区或园区？（例如：医药港、大创小镇、白杨街道邻里社区）`,
  // "找个工作" was said, not asked: nothing is to be looked up.
  askCommunityForCarried: (asked: boolean) =>
    `好的，我把你刚才${asked ? '问的问题转给社区工作者查询' : '说的情况转给社区工作者'}。请问你在哪个产业社区或园区？（例如：医药港、大创小镇、白杨街道邻里社区）`,
  askCommunityAgain: (examples: string, dispatched: boolean) =>
    `没找到这个社区。请告诉我你所在的产业社区或园区，例如：${examples}。${dispatched ? UNPLACED_OFFER : ''}回复"取消"可撤销。`,
  communityStillNeeded: (thanked: boolean, examples: string, dispatched: boolean) =>
    `${thanked ? '不客气。' : ''}登记还需要知道你在哪个产业社区或园区，例如：${examples}。${dispatched ? UNPLACED_OFFER : ''}回复"取消"可撤销。`,
  /** A question while the community is asked for ("怎么申请", "什么时候能来修"): no place was named, and none was wrong. */
  askedBeforeCommunity: (matter: string, examples: string, dispatched: boolean) =>
    `这个社区工作者联系你时可以一并问问。登记${matter}还需要先知道你在哪个产业社区或园区，例如：${examples}。${dispatched ? UNPLACED_OFFER : ''}回复"取消"可撤销。`,
  detailNoted: (examples: string) => `已记下，会一并转给社区工作者。还需要知道你在哪个产业社区或园区，例如：${examples}。回复"取消"可撤销。`,
  askWhichCommunity: (names: string[]) => `你提到了${names.join('和')}，这次要找哪个社区处理？直接回复社区名称即可；回复"取消"可撤销。`,
  askDescription: '好的，我来帮你联系社区工作者。请简单说说需要帮什么忙？',
  draftCancelled: '好的，已取消这次登记。有需要随时找我。',
  nothingToCancel: '现在没有正在登记的事情或进行中的工单需要取消。有需要随时找我。',
  created: (ticket: Ticket, label: string, community: string, worker: string, when: string) =>
    `已登记工单 ${formatTicketId(ticket.id)}（${label} · ${community}），已转给社区工作者${display(worker)}，${when}回复"取消"可撤销。`,
  createdUnplaced: (ticket: Ticket, label: string, worker: string, when: string) =>
    `已登记工单 ${formatTicketId(ticket.id)}（${label}），已转给社区工作者${display(worker)}，会帮你转到所在社区的社区工作者；${when}回复"取消"可撤销。`,
  unplacedReason: (ticket: Ticket, said: string) =>
    `对方说不清所在社区（"${said}"），请确认后发"${formatTicketId(ticket.id)} 转 姓名"转给对应社区的社区工作者`,
  onDutyPromise: (acceptMinutes: number) => `一般 ${acceptMinutes} 分钟内会联系你。`,
  onCallPromise: (worker: string) => `现在不在工作时间，已同时通知值班的社区工作者${display(worker)}，会尽快联系你；情况紧急请拨打 110 或 120。`,
  offDutyPromise: (worker: string) => `现在不在工作时间，${display(worker)}上班后会尽快联系你；情况紧急请拨打 110 或 120。`,
  newTicketForStaff: (ticket: Ticket, label: string, community: string, acceptMinutes: number, description: string, fromNextShift = false) =>
    `【新工单 ${formatTicketId(ticket.id)}】${label} · ${community} · 来自 ${ticket.requester.userName}（${where(ticket)}）\n内容：${description}  ·  ${fromNextShift ? '负责人上班后 ' : ''}${acceptMinutes} 分钟内未接单将提醒并上报`,
  newTicketForWorker: (ticket: Ticket, label: string, community: string, reason: string) =>
    [
      `【新工单 ${formatTicketId(ticket.id)}】${label} · ${community}`,
      `来自：${ticket.requester.userName}（${where(ticket)}）`,
      `内容：${ticket.description}`,
      ...(ticket.contact ? [`联系方式：${ticket.contact}`] : []),
      `分派原因：${reason}`,
      `回复"${formatTicketId(ticket.id)} 接单"接单。`,
    ].join('\n'),
  urgentForContact: (label: string, requester: RequesterAddress, text: string) =>
    `【紧急 · ${label}】${requester.userName}（${reachedAt(requester)}）：“${text}”\n对方还没说明在哪个产业社区，小融已给出急救和求助电话，正在询问所在社区。请尽快联系对方。`,
  urgentOffDuty: (ticket: Ticket, label: string, community: string, worker: string, text: string) =>
    `【紧急 · ${label}】工单 ${formatTicketId(ticket.id)}（${community}）${ticket.requester.userName}（${reachedAt(ticket.requester)}）：“${text}”\n负责的${display(worker)}现在不在工作时间，小融已给出急救和求助电话。请尽快联系对方。`,
  relayed: (worker: string, ticket: Ticket, text: string) => `【社区工作者 ${display(worker)} · 工单 ${formatTicketId(ticket.id)}】${text}`,
  followUpForWorker: (ticket: Ticket, text: string) => `【工单 ${formatTicketId(ticket.id)} · ${ticket.requester.userName} 补充】${text}`,
  followUpAlsoForwarded: (ticket: Ticket, worker: string) => `这条消息也已转给社区工作者${display(worker)}（工单 ${formatTicketId(ticket.id)}）。`,
  draftWaiting: (matter: string) => `另外，登记${matter}还需要知道你在哪个产业社区或园区，直接回复社区名称即可；回复"取消"可撤销。`,
  draftDropped: (matter: string) => `刚才登记的${matter}还不知道你在哪个产业社区，已先取消；需要时回复"转人工"重新登记。`,
  followUpAcknowledged: (ticket: Ticket, worker: string) => `已转达给社区工作者${display(worker)}（工单 ${formatTicketId(ticket.id)}）。`,
  cancelIfNotNeeded: '如果已经不需要了，回复"取消"即可撤销工单。',
  progressAccepted: '社区工作者已经接单，正在处理，有回复会第一时间转给你。',
  progressWaiting: (minutes: number) => `工单还在等待接单，预计 ${minutes} 分钟内会联系你。`,
  progressOverdue: (reminded: boolean, escalated: boolean) =>
    `已经超过约定的接单时间，${reminded ? '小融已提醒社区工作者' : '小融会提醒社区工作者'}${escalated ? '，并已上报负责人协调' : '，仍没有接单会上报负责人协调'}；情况紧急请拨打 110 或 120。`,
  ticketInHand: (ticket: Ticket, worker: string | undefined, thanked: boolean) =>
    `${thanked ? '不客气！' : '好的。'}工单 ${formatTicketId(ticket.id)} 正由社区工作者${worker ? display(worker) : ''}处理，有回复会第一时间转给你。`,
  acceptedForRequester: (ticket: Ticket, worker: string) => `社区工作者${display(worker)}已接单（工单 ${formatTicketId(ticket.id)}），会尽快联系你。`,
  acceptedForWorker: (ticket: Ticket) => `已接单 ${formatTicketId(ticket.id)}。回复"${formatTicketId(ticket.id)} 回复 内容"答复对方，办好后发"${formatTicketId(ticket.id)} 完成"。`,
  alreadyTaken: (ticket: Ticket, worker: string) => `工单 ${formatTicketId(ticket.id)} 已由${display(worker)}接单。`,
  notOpen: (ticket: Ticket, status: string) => `工单 ${formatTicketId(ticket.id)} 当前状态是"${status}"，不能这样操作。`,
  replySent: (ticket: Ticket) => `已发送给 ${ticket.requester.userName}（工单 ${formatTicketId(ticket.id)}）。`,
  transferred: (ticket: Ticket, worker: string) => `工单 ${formatTicketId(ticket.id)} 已转给${display(worker)}。`,
  transferredToYou: (ticket: Ticket, from: string, label: string, community: string) =>
    `【转办工单 ${formatTicketId(ticket.id)}】${label} · ${community}，由${display(from)}转来。\n内容：${ticket.description}\n回复"${formatTicketId(ticket.id)} 接单"接单。`,
  resolvedForWorker: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 已办结，已请对方评分。`,
  askRating: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 已办结。请为这次服务打分：回复 1–5（5 为非常满意）`,
  ratingScale: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 的评分请回复 1–5 之间的数字（5 为非常满意），也可以回复"满意""一般"等。`,
  thanksForRating: (rating: number) => (rating <= 2 ? '收到你的评分，我们会请负责人回访，改进服务。' : '感谢你的评价！有需要随时找我。'),
  lowRating: (ticket: Ticket, rating: number, worker: string) => `【低分提醒】工单 ${formatTicketId(ticket.id)}（${display(worker)}办理）获评 ${rating} 分，请回访。`,
  reopened: (ticket: Ticket, worker: string) => `已重新打开工单 ${formatTicketId(ticket.id)}，社区工作者${display(worker)}会继续跟进。`,
  reopenedForWorker: (ticket: Ticket) => `【重新打开】工单 ${formatTicketId(ticket.id)}：${ticket.requester.userName} 表示问题还没解决，请继续跟进。`,
  ticketCancelled: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 已撤销。有需要随时找我。`,
  ticketCancelledForWorker: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 已被提出人撤销，无需处理。`,
  reminder: (ticket: Ticket, worker: string, minutes: number) => `⏰ 工单 ${formatTicketId(ticket.id)} 已等待 ${minutes} 分钟未接单，@${display(worker)} 请尽快处理`,
  escalation: (ticket: Ticket, label: string, community: string, minutes: number) =>
    `【升级】工单 ${formatTicketId(ticket.id)}（${label} · ${community}）${minutes} 分钟无人接单，请协调。`,
  resolveOverdue: (ticket: Ticket, label: string, community: string, worker: string, hours: number) =>
    `【超时】工单 ${formatTicketId(ticket.id)}（${label} · ${community}）由${display(worker)}接单后 ${hours} 小时仍未办结，请关注。`,
  requesterTickets: (lines: string[], live: boolean) =>
    lines.length
      ? `你最近提交的工单：\n${lines.join('\n')}\n${live ? '有新的回复会第一时间转给你。' : '需要人帮忙时回复"转人工"。'}`
      : '你还没有提交过工单。需要人帮忙时回复"转人工"。',
  statusSentDirect: '你的工单情况我私信发给你了。',
  myTickets: (lines: string[]) => (lines.length ? `你的工单：\n${lines.join('\n')}` : '你目前没有待办的工单。'),
  unknownTicket: (id: number) => `没有找到工单 #${id}，请核对编号。发"我的工单"可以查看你负责的工单。`,
  notYours: (ticket: Ticket, worker: string) =>
    `工单 ${formatTicketId(ticket.id)} 由${display(worker)}负责，你不能操作。如需接手，请让${display(worker)}或主管发"${formatTicketId(ticket.id)} 转 你的工号"。`,
  notYourCommunity: (ticket: Ticket) => `工单 ${formatTicketId(ticket.id)} 不属于你所在的社区，不能接单。`,
  unknownWorker: (name: string) => `没有找到工号或姓名为"${name}"的社区工作者，请核对后再发。`,
  emptyReply: (id: number) => `回复内容是空的。请这样发：#${id} 回复 已联系物业，明天上午上门`,
  /** The commands, with the ticket the worker named ("#1001" alone), else an example number. */
  commandHelp: (ticketId = 1024, opening = '没看懂这条指令。') =>
    `${opening}可用指令：\n#${ticketId} 接单\n#${ticketId} 回复 <内容>\n#${ticketId} 转 <工号或姓名>\n#${ticketId} 完成\n我的工单`,
  commandNeedsTicket: '请在指令前带上工单号。',
  /** "#1024 好的，马上去": most likely words for the requester, which need 回复 to reach them. */
  replyHelp: (id: number, text: string) => `这句话还没有发给对方。要回复对方，请发：\n#${id} 回复 ${text}\n接单发"#${id} 接单"，办好后发"#${id} 完成"。`,
};

export const STATUS_LABELS: Record<Ticket['status'], string> = {
  new: '新建',
  assigned: '待接单',
  accepted: '处理中',
  resolved: '已办结',
  closed: '已关闭',
  reopened: '重新打开',
  cancelled: '已撤销',
};
