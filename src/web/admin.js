import { $, api, el, fmtTime, readEvents, setCsrf } from './common.js';

let csrfToken = '';

/** A bar of `percent` width, set through CSSOM (the CSP forbids style attributes). */
function bar(percent) {
  const node = el('div', { class: 'bar' });
  node.style.width = `${percent}%`;
  return node;
}

function bars(title, rows, label, value) {
  const max = Math.max(1, ...rows.map(value));
  return el('div', { class: 'card' }, el('h3', {}, title),
    rows.length ? el('div', { class: 'bars' }, rows.flatMap((row) => [
      el('span', {}, label(row)),
      bar(Math.max(2, (value(row) / max) * 100)),
      el('span', { class: 'muted' }, String(value(row))),
    ])) : el('p', { class: 'muted' }, '暂无数据'));
}

async function loadDocs() {
  const data = await api('/api/knowledge');
  $('#indexed').textContent = `共 ${data.documents.length} 份 · ${data.chunks} 段 · 最近索引 ${fmtTime(data.lastIndexed)}`;
  $('#docs').replaceChildren(...data.documents.map((doc) => el('tr', {},
    el('td', {}, doc.title), el('td', { class: 'muted small' }, doc.source), el('td', {}, String(doc.chunks)), el('td', { class: 'small' }, fmtTime(doc.indexedAt)),
    el('td', {}, el('button', { type: 'button', class: 'danger small', onclick: async () => {
      if (!confirm(`确定删除《${doc.title}》？删除后会重新索引。`)) return;
      try { await api(`/api/knowledge/${encodeURIComponent(doc.source)}`, { method: 'DELETE' }); await loadDocs(); } catch (error) { alert(error.message); }
    } }, '删除')),
  )));
}

function comparisonView(comparison) {
  const list = (title, items) => el('div', {}, el('strong', {}, `${title}（${items.length}）`),
    el('ul', {}, items.slice(0, 20).map((item) => el('li', {}, `${item.question}：第 ${item.before ?? '—'} 名 → 第 ${item.after ?? '—'} 名`))));
  return el('div', { class: 'grid2' }, list('变好', comparison.better), list('变差', comparison.worse),
    el('p', { class: 'muted' }, `recall@5：${comparison.before['recall@5']} → ${comparison.after['recall@5']}；MRR：${comparison.before.mrr} → ${comparison.after.mrr}`));
}

async function upload(confirmed = false) {
  const file = $('#file').files[0];
  const result = $('#upload-result');
  if (!file) return void (result.textContent = '请先选择文件。');
  const progress = $('#progress');
  progress.classList.remove('hidden');
  progress.removeAttribute('value');
  result.replaceChildren('正在评测新旧索引…');
  try {
    const response = await fetch(`/api/knowledge?filename=${encodeURIComponent(file.name)}${confirmed ? '&confirm=1' : ''}`, {
      method: 'POST', body: file, headers: { accept: 'text/event-stream', 'x-csrf-token': csrfToken, 'content-type': 'application/octet-stream' },
    });
    if (!response.ok) {
      const error = (await response.json()).error;
      if (error.code === 'regression') {
        result.replaceChildren(el('p', { class: 'error' }, error.message), comparisonView(error.details),
          el('button', { type: 'button', class: 'danger', id: 'confirm-upload', onclick: () => void upload(true) }, '仍然发布'));
        return;
      }
      throw new Error(error.message);
    }
    await readEvents(response, (name, data) => {
      if (name === 'progress') { progress.max = Math.max(1, data.total); progress.value = data.done; result.textContent = `正在索引：${data.done}/${data.total} 段`; }
      if (name === 'done') result.replaceChildren(el('p', { class: 'ok' }, `已发布：新增 ${data.report.added.length}，更新 ${data.report.changed.length}，本次向量化 ${data.report.embedded} 段。`), comparisonView(data.comparison));
    });
    await loadDocs();
  } catch (error) {
    result.replaceChildren(el('p', { class: 'error' }, error.message));
  } finally {
    progress.classList.add('hidden');
  }
}

async function loadInsights() {
  const data = await api('/api/insights');
  $('#insights').replaceChildren(
    el('div', { class: 'grid2' },
      bars('每日提问', data.questionsPerDay, (row) => row.day.slice(5), (row) => row.count),
      bars('问题去向', data.routes, (row) => ({ answer: '已回答', no_answer: '资料未覆盖', handoff: '转人工', greeting: '问候', out_of_scope: '超出范围' })[row.route] ?? row.route, (row) => row.count),
      bars('热门主题', data.topTopics, (row) => row.title, (row) => row.count),
      bars('工单类别', data.tickets.byCategory, (row) => row.label, (row) => row.count),
      bars('各社区工单', data.tickets.byCommunity, (row) => row.name, (row) => row.count),
      el('div', { class: 'card' }, el('h3', {}, '服务质量'),
        el('p', {}, `回答反馈：有用 ${data.feedback.up} · 没帮助 ${data.feedback.down}`),
        el('p', {}, `满意度：${data.satisfaction.average === null ? '暂无评分' : `${data.satisfaction.average.toFixed(1)} 分（${data.satisfaction.rated} 次评价）`}`),
        el('p', {}, `超时提醒 ${data.serviceLevelBreaches.reminded ?? 0} 次 · 上报负责人 ${data.serviceLevelBreaches.escalated ?? 0} 次 · 办结超时 ${data.serviceLevelBreaches['resolve-overdue'] ?? 0} 次`)),
    ),
    el('div', { class: 'card' }, el('h3', {}, '资料未覆盖的问题'),
      data.unanswered.length ? el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, '问题'), el('th', {}, '次数'), el('th', {}, '最近'))),
        el('tbody', {}, data.unanswered.map((row) => el('tr', {}, el('td', {}, row.question), el('td', {}, String(row.count)), el('td', { class: 'small' }, fmtTime(row.last))))))
        : el('p', { class: 'muted' }, '暂无')),
  );
}

function showTab(name) {
  for (const button of document.querySelectorAll('[data-tab]')) button.classList.toggle('active', button.dataset.tab === name);
  for (const pane of document.querySelectorAll('[data-pane]')) pane.classList.toggle('hidden', pane.dataset.pane !== name);
  if (name === 'insights') void loadInsights().catch((error) => $('#insights').replaceChildren(el('p', { class: 'error' }, error.message)));
}

async function enter(session) {
  csrfToken = session.csrf;
  setCsrf(session.csrf);
  $('#login').classList.add('hidden');
  $('#panel').classList.remove('hidden');
  $('#logout').classList.remove('hidden');
  await loadDocs();
}

$('#login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try { await enter(await api('/api/session/admin', { method: 'POST', body: { token: $('#token').value } })); } catch (error) { $('#login-error').textContent = error.message; }
});
$('#logout').addEventListener('click', async (event) => {
  event.preventDefault();
  await api('/api/session', { method: 'DELETE' }).catch(() => {});
  location.reload();
});
for (const button of document.querySelectorAll('[data-tab]')) button.addEventListener('click', () => showTab(button.dataset.tab));
$('#upload').addEventListener('click', () => void upload());
$('#reindex').addEventListener('click', async () => {
  const result = $('#reindex-result');
  result.textContent = '正在重新索引…';
  try {
    const response = await fetch('/api/knowledge/reindex', { method: 'POST', headers: { accept: 'text/event-stream', 'x-csrf-token': csrfToken } });
    if (!response.ok) throw new Error((await response.json()).error.message);
    await readEvents(response, (name, data) => {
      if (name === 'progress') result.textContent = `正在索引：${data.done}/${data.total} 段`;
      if (name === 'done') result.textContent = `已重新索引 ${data.report.files} 个文件：新增 ${data.report.added.length}，更新 ${data.report.changed.length}，删除 ${data.report.removed.length}，跳过 ${data.report.skipped.length}。`;
    });
    await loadDocs();
  } catch (error) {
    result.textContent = error.message;
  }
});
$('#test-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const { hits } = await api('/api/knowledge/test', { method: 'POST', body: { question: $('#test-question').value } });
    $('#test-hits').replaceChildren(...hits.map((hit) => el('li', {}, el('strong', {}, `《${hit.title}》${hit.section ? ` · ${hit.section}` : ''}`), el('div', { class: 'small' }, hit.text))));
  } catch (error) { $('#test-hits').replaceChildren(el('li', { class: 'error' }, error.message)); }
});
$('#eval-run').addEventListener('click', async () => {
  try {
    const data = await api('/api/knowledge/test', { method: 'POST', body: { eval: $('#eval-text').value } });
    const r = data.retrieval;
    $('#eval-result').replaceChildren(el('p', {}, `${r.n} 题 · recall@1 ${r['recall@1']} · recall@3 ${r['recall@3']} · recall@5 ${r['recall@5']} · MRR ${r.mrr}`),
      el('ul', {}, data.misses.map((miss) => el('li', {}, `未命中：${miss.question}`))));
  } catch (error) { $('#eval-result').replaceChildren(el('p', { class: 'error' }, error.message)); }
});
api('/api/session').then((session) => session.role === 'admin' && enter(session)).catch(() => {});
