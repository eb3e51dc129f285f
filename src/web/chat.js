import { $, api, el, readEvents, STATUS } from './common.js';

const thread = $('#thread');
const input = $('#input');
let user;
let conversation;
let lastUpdate = Number(localStorage.getItem('rz-last-update') ?? 0);
function startAs(id) {
  user = id;
  conversation = `web:${id}`;
  localStorage.setItem('rz-user', id);
}
// The server keeps a user id for the visitor cookie that first used it; with that cookie gone
// (cleared, expired) the id is someone else's, and this page starts as a new user.
function startAfresh() {
  startAs(`web-${crypto.randomUUID().slice(0, 12)}`);
  lastUpdate = 0;
  localStorage.setItem('rz-last-update', '0');
}
const notYours = (error) => error?.code === 'not_yours';
const saved = localStorage.getItem('rz-user');
if (saved) startAs(saved);
else startAfresh();
let busy = false;

const scroll = () => (thread.scrollTop = thread.scrollHeight);

function citationChips(citations) {
  if (!citations?.length) return null;
  return el('div', { class: 'sources' }, citations.map((citation) =>
    el('button', { class: 'source', type: 'button', title: '查看原文', onclick: () => openPassage(citation) }, `[${citation.n}]《${citation.title}》${citation.section ? ` · ${citation.section}` : ''}`),
  ));
}

async function openPassage(citation) {
  $('#passage-title').textContent = `《${citation.title}》`;
  $('#passage-meta').textContent = citation.section ?? '';
  $('#passage-text').textContent = citation.excerpt;
  $('#passage').showModal();
  try {
    const passage = await api(`/api/knowledge/passages?source=${encodeURIComponent(citation.source)}&section=${encodeURIComponent(citation.section ?? '')}`);
    $('#passage-meta').textContent = [passage.section, passage.issuer].filter(Boolean).join(' · ');
    $('#passage-text').textContent = passage.text;
  } catch { /* the excerpt stays */ }
}
$('#passage-close').addEventListener('click', () => $('#passage').close());

function feedback(messageId) {
  const box = el('div', { class: 'actions' });
  for (const [rating, label] of [['up', '👍 有用'], ['down', '👎 没帮助']]) {
    box.append(el('button', { class: 'secondary', type: 'button', 'aria-label': label, onclick: async (event) => {
      const chosen = event.currentTarget;
      try {
        await api('/api/feedback', { method: 'POST', body: { messageId, user, rating } });
        for (const button of box.querySelectorAll('button')) button.classList.remove('chosen');
        chosen.classList.add('chosen');
      } catch (error) { box.append(el('span', { class: 'error small' }, error.message)); }
    } }, label));
  }
  return box;
}

function showTicket(ticket) {
  const bar = $('#ticket');
  if (!ticket) return bar.classList.add('hidden');
  bar.classList.remove('hidden');
  bar.textContent = `工单 #${ticket.id} · ${STATUS[ticket.status] ?? ticket.status}${ticket.live ? ' · 社区工作者的回复会显示在这里' : ''}`;
}

async function send(text) {
  if (busy || !text.trim()) return;
  busy = true;
  $('#send').disabled = true;
  $('#suggest')?.remove();
  thread.append(el('div', { class: 'bubble user' }, text));
  const bubble = el('div', { class: 'bubble bot' }, '…');
  thread.append(bubble);
  scroll();
  let answer = '';
  try {
    const post = () => fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ user, text, conversation }) });
    const problemOf = (response) => (response.ok ? undefined : response.json().then((body) => body.error, () => undefined));
    let response = await post();
    let problem = await problemOf(response);
    if (notYours(problem)) {
      startAfresh();
      response = await post();
      problem = await problemOf(response);
    }
    if (!response.ok) throw new Error(problem?.message ?? '发送失败，请稍后再试。');
    await readEvents(response, (name, data) => {
      if (name === 'text-delta') { answer += data.text; bubble.textContent = answer; scroll(); }
      if (name === 'error') throw new Error(data.message);
      if (name === 'done') {
        bubble.textContent = data.answer;
        const chips = citationChips(data.citations);
        if (chips) bubble.append(chips);
        if (data.route === 'answer' || data.route === 'no_answer') bubble.append(feedback(data.messageId));
        if (data.ticket) showTicket({ ...data.ticket, live: true });
        scroll();
      }
    });
  } catch (error) {
    bubble.textContent = error.message || '网络出了点问题，请稍后再试。';
    bubble.classList.add('error');
  } finally {
    busy = false;
    $('#send').disabled = false;
  }
}

async function poll() {
  try {
    const updates = await api(`/api/chat/${encodeURIComponent(conversation)}/updates?after=${lastUpdate}&user=${encodeURIComponent(user)}`);
    for (const message of updates.messages) {
      thread.append(el('div', { class: 'bubble worker' }, message.text));
      lastUpdate = message.id;
      localStorage.setItem('rz-last-update', String(lastUpdate));
      scroll();
    }
    showTicket(updates.ticket);
  } catch (error) {
    if (notYours(error.data)) startAfresh();
    /* otherwise: try again next time */
  }
}

/** The box grows with what is typed, to the height the page allows (on a phone, a long question was one clipped line). */
function fitInput() {
  input.style.height = '';
  if (input.scrollHeight > input.clientHeight) input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
}
input.addEventListener('input', fitInput);
$('#composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = '';
  fitInput();
  void send(text);
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) { event.preventDefault(); $('#composer').requestSubmit(); }
});
$('#handoff').addEventListener('click', () => void send('转人工'));
for (const button of document.querySelectorAll('#suggest button')) button.addEventListener('click', () => void send(button.textContent));
setInterval(poll, 3000);
void poll();
