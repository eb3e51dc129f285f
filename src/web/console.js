import { $, api, el, fmtTime, setCsrf, STATUS } from './common.js';

let me;
let selected;
const LIVE = ['new', 'assigned', 'accepted', 'reopened'];
const ACCEPTABLE = ['new', 'assigned', 'reopened'];
const EVENTS = { created: '提出', assigned: '分派', accepted: '接单', replied: '回复', transferred: '转办', resolved: '办结', rated: '评价', reminded: '超时提醒', escalated: '上报负责人', 'resolve-overdue': '办结超时', reopened: '重新打开', cancelled: '撤销', 'requester-message': '对方补充' };

function countdown(ticket) {
  const due = ACCEPTABLE.includes(ticket.status) ? ticket.acceptDueAt : ticket.status === 'accepted' ? ticket.resolveDueAt : null;
  if (!due) return null;
  const minutes = Math.round((new Date(due).getTime() - Date.now()) / 60000);
  const what = ticket.status === 'accepted' ? '办结' : '接单';
  const text = minutes >= 0 ? `${what}剩余 ${minutes >= 120 ? `${Math.round(minutes / 60)} 小时` : `${minutes} 分钟`}` : `${what}已超时 ${-minutes} 分钟`;
  return el('span', { class: `countdown small${minutes < 0 ? ' late' : ''}` }, text);
}

async function loadQueue() {
  const live = $('#filter').value === 'live';
  const { tickets } = await api(`/api/tickets${live ? `?${LIVE.map((status) => `status=${status}`).join('&')}` : ''}`);
  const queue = $('#queue');
  queue.replaceChildren(...tickets.map((ticket) =>
    el('li', { class: ticket.id === selected ? 'active' : '', 'data-id': ticket.id, onclick: () => void show(ticket.id) },
      el('strong', {}, `#${ticket.id} `), el('span', { class: `badge ${ticket.status}` }, STATUS[ticket.status]), ' ',
      el('span', { class: 'small category' }, `${ticket.categoryLabel} · ${ticket.communityName}`),
      el('div', { class: 'small' }, ticket.description.slice(0, 40)),
      el('div', { class: 'muted small' }, `负责人 ${ticket.assigneeName ?? '—'} · `, countdown(ticket) ?? ''),
    )));
  if (!tickets.length) queue.append(el('li', { class: 'muted' }, '暂无工单'));
}

async function act(path, body) {
  try {
    const result = await api(`/api/tickets/${selected}/${path}`, { method: 'POST', body });
    await Promise.all([show(selected), loadQueue()]);
    // After the detail is drawn again, so the confirmation stays on screen.
    $('#action-result').textContent = result.message;
    $('#action-result').className = 'ok small';
  } catch (error) {
    $('#action-result').textContent = error.message;
    $('#action-result').className = 'error small';
  }
}

async function show(id) {
  selected = id;
  const ticket = await api(`/api/tickets/${id}`);
  for (const item of document.querySelectorAll('#queue li')) item.classList.toggle('active', Number(item.dataset.id) === id);
  const reply = el('textarea', { id: 'reply-text', placeholder: '回复内容会发到对方提问的群或私聊', maxlength: '2000' });
  const target = el('input', { id: 'transfer-to', placeholder: '工号或姓名' });
  $('#detail').replaceChildren(
    el('h3', {}, `工单 #${ticket.id} `, el('span', { class: `badge ${ticket.status}` }, STATUS[ticket.status])),
    el('p', { class: 'small', id: 'ticket-kind' }, `${ticket.categoryLabel} · ${ticket.communityName}`),
    el('p', {}, ticket.description),
    el('p', { class: 'muted small' }, `提出人：${ticket.requester.userName}（${ticket.channelName}${ticket.requester.conversationKind === 'group' ? '群聊' : '私聊'}）`, ticket.contact ? ` · 联系方式：${ticket.contact}` : ''),
    el('p', { class: 'muted small' }, `负责人：${ticket.assigneeName ?? '—'} · `, countdown(ticket) ?? '', ticket.assignmentReason ? ` · 分派原因：${ticket.assignmentReason}` : ''),
    // Only what can be done with the ticket now: a closed one is for reading.
    ...(LIVE.includes(ticket.status)
      ? [
          el('div', { class: 'actions' },
            ACCEPTABLE.includes(ticket.status) ? el('button', { type: 'button', id: 'accept', onclick: () => void act('accept') }, '接单') : null,
            el('button', { type: 'button', class: 'secondary', id: 'resolve', onclick: () => void act('resolve') }, '办结'),
          ),
          el('label', { for: 'reply-text' }, '回复对方'), reply,
          el('div', { class: 'actions' }, el('button', { type: 'button', id: 'send-reply', onclick: () => void act('reply', { text: reply.value }) }, '发送回复')),
          el('label', { for: 'transfer-to' }, '转办给'), target,
          el('div', { class: 'actions' }, el('button', { type: 'button', class: 'secondary', onclick: () => void act('transfer', { worker: target.value }) }, '转办')),
        ]
      : [el('p', { class: 'muted', id: 'closed-note' }, `这张工单${STATUS[ticket.status]}，无需再处理。`)]),
    el('p', { id: 'action-result', class: 'small' }),
    el('h4', {}, '经过'),
    el('ul', { class: 'timeline' }, ticket.events.map((event) =>
      el('li', {}, el('span', { class: 'muted small' }, `${fmtTime(event.at)} · ${event.actorName} · `), EVENTS[event.type] ?? event.type, event.detail?.text ? `：${event.detail.text}` : ''))),
  );
}

async function enter(session) {
  me = session;
  setCsrf(session.csrf);
  $('#who').textContent = `${session.user.name}${session.user.communityName ? ` · ${session.user.communityName}` : ''}`;
  $('#login').classList.add('hidden');
  $('#desk').classList.remove('hidden');
  $('#logout').classList.remove('hidden');
  await loadQueue();
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await enter(await api('/api/session/worker', { method: 'POST', body: { worker: $('#worker').value, password: $('#password').value } }));
  } catch (error) {
    $('#login-error').textContent = error.message;
  }
});
$('#logout').addEventListener('click', async (event) => {
  event.preventDefault();
  await api('/api/session', { method: 'DELETE' }).catch(() => {});
  location.reload();
});
$('#refresh').addEventListener('click', () => void loadQueue());
$('#filter').addEventListener('change', () => void loadQueue());
setInterval(() => me && void loadQueue(), 30000);
api('/api/session').then((session) => session.role === 'worker' && enter(session)).catch(() => {});
void me;
