import { parse, type HTMLElement, type Node, NodeType } from 'node-html-parser';

const BLOCKS = new Set(['p', 'div', 'section', 'article', 'li', 'tr', 'br', 'table', 'ul', 'ol', 'blockquote', 'pre', 'dd', 'dt', 'header', 'footer', 'main']);
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'nav']);

/** Converts HTML to Markdown-like text: headings become `#` lines, blocks become lines. */
export function htmlToText(html: string): { title: string | undefined; text: string } {
  const root = parse(html, { comment: false });
  const titleText = root.querySelector('title')?.text.trim() || root.querySelector('h1')?.text.trim() || undefined;
  const lines: string[] = [];
  let current = '';
  const flush = () => {
    const line = current.replace(/\s+/g, ' ').trim();
    if (line) lines.push(line);
    current = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === NodeType.TEXT_NODE) {
      current += node.text;
      return;
    }
    if (node.nodeType !== NodeType.ELEMENT_NODE) return;
    const element = node as HTMLElement;
    const tag = element.rawTagName?.toLowerCase() ?? '';
    if (SKIP.has(tag)) return;
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const text = element.text.replace(/\s+/g, ' ').trim();
      if (text) lines.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    for (const child of element.childNodes) walk(child);
    if (block) flush();
  };
  walk(root);
  flush();
  return { title: titleText, text: lines.join('\n') };
}
