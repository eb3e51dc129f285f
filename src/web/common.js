// Small helpers shared by the pages.
export const $ = (selector, root = document) => root.querySelector(selector);
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child);
  return node;
};

let csrf = '';
export const setCsrf = (token) => (csrf = token);

/** JSON API call; throws an Error with the server's Chinese message. */
export async function api(path, { method = 'GET', body, headers = {}, raw } = {}) {
  const response = await fetch(path, {
    method,
    headers: { ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}), ...(csrf ? { 'x-csrf-token': csrf } : {}), ...headers },
    body: raw ?? (body !== undefined ? JSON.stringify(body) : undefined),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `请求失败（${response.status}）`);
    error.status = response.status;
    error.data = data?.error;
    throw error;
  }
  return data;
}

/** Reads a text/event-stream response, calling onEvent(name, data) for each event. */
export async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data) onEvent(name, JSON.parse(data));
    }
  }
}

export const STATUS = { new: '新建', assigned: '待接单', accepted: '处理中', resolved: '已办结', closed: '已关闭', reopened: '重新打开', cancelled: '已撤销' };
export const fmtTime = (iso) => new Date(iso).toLocaleString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
