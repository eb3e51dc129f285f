import type { Chunk, DocumentMeta, KnowledgeDocument } from './document.ts';

export type ChunkOptions = { size: number; overlap: number };

type Sentence = { text: string; index: number };
type Section = { path: string; sentences: Sentence[] };

// A sentence ends at 。！？； (and their ASCII forms), optionally followed by closing quotes or brackets.
const SENTENCE = /[^。！？；!?;\n]*(?:[。！？；!?;]+[”’"'）)】」』]*|\n|$)/g;
// Where a sentence that is too long on its own may be cut, best first.
const SOFT_BREAKS = ['，', '、', '：', ',', ':', ' '];

/** Splits text into sentences at 。！？； and line ends; each sentence keeps its end mark. */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  // A straight quote after the end mark closes a quotation only when one is open: in
  // `落脚点。"三清单"是…` it opens the next sentence.
  let quotes = 0;
  let opening = '';
  for (const match of text.matchAll(SENTENCE)) {
    let sentence = opening + match[0].replace(/\s+/g, ' ').trim();
    opening = '';
    if (/[。！？；!?;]"$/.test(sentence) && (quotes + sentence.split('"').length - 2) % 2 === 0) {
      sentence = sentence.slice(0, -1);
      opening = '"';
    }
    quotes += sentence.split('"').length - 1;
    if (sentence) sentences.push(sentence);
  }
  return sentences;
}

/** Cuts one over-long sentence into pieces of at most `size` characters, at a comma where possible. */
function cutLongSentence(sentence: string, size: number): string[] {
  const pieces: string[] = [];
  let rest = sentence;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    let cut = -1;
    for (const mark of SOFT_BREAKS) {
      const at = window.lastIndexOf(mark);
      if (at >= size / 2) {
        cut = at + 1;
        break;
      }
    }
    if (cut <= 0) cut = size;
    pieces.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest) pieces.push(rest);
  return pieces;
}

/** Groups a document's text into sections by heading path, each a list of numbered sentences. */
function sectionsOf(document: KnowledgeDocument, size: number): Section[] {
  const sections: Section[] = [];
  const headings: string[] = [];
  let current: Section = { path: '', sentences: [] };
  let index = 0;
  let topLevelSeen = false;
  for (const rawLine of document.text.split('\n')) {
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(rawLine);
    if (heading) {
      const level = (heading[1] ?? '#').length;
      const title = (heading[2] ?? '').trim();
      // The first top-level heading is the document's own title, not a section.
      if (level === 1 && !topLevelSeen && (title === document.title || headings.length === 0)) {
        topLevelSeen = true;
        continue;
      }
      if (current.sentences.length) sections.push(current);
      headings.length = Math.max(0, level - 2);
      headings[Math.max(0, level - 2)] = title;
      current = { path: headings.filter(Boolean).join(' / '), sentences: [] };
      continue;
    }
    const line = rawLine.replace(/^\s*(?:[-*+]|\d+[.)、])\s+/, '').replace(/[*_`>]+/g, '').trim();
    if (!line) continue;
    for (const sentence of splitSentences(line)) {
      for (const piece of sentence.length > size ? cutLongSentence(sentence, size) : [sentence]) {
        current.sentences.push({ text: piece, index: index++ });
      }
    }
  }
  if (current.sentences.length) sections.push(current);
  return sections;
}

/**
 * Chinese-aware chunking: sentences are packed into chunks of at most `size` characters without
 * crossing a heading; each chunk repeats up to `overlap` characters of whole sentences from the one
 * before it. A sentence is only cut when it alone is longer than `size`.
 */
export function chunkDocument(document: KnowledgeDocument, options: ChunkOptions): Chunk[] {
  const { size, overlap } = options;
  const meta: DocumentMeta = {
    source: document.source,
    title: document.title,
    tags: document.tags,
    ...(document.issuer !== undefined && { issuer: document.issuer }),
    ...(document.origin !== undefined && { origin: document.origin }),
    ...(document.docNumber !== undefined && { docNumber: document.docNumber }),
    ...(document.effective !== undefined && { effective: document.effective }),
    ...(document.expires !== undefined && { expires: document.expires }),
    ...(document.faq && { faq: true }),
  };
  const chunks: Chunk[] = [];
  const emit = (section: string, sentences: Sentence[]) => {
    const ordinal = chunks.length;
    chunks.push({
      ...meta,
      id: `${document.source}#${ordinal}`,
      ordinal,
      section,
      text: joinSentences(sentences.map((sentence) => sentence.text)),
      sentenceStart: sentences[0]?.index ?? 0,
      sentenceEnd: sentences.at(-1)?.index ?? 0,
    });
  };
  for (const section of sectionsOf(document, size)) {
    let window: Sentence[] = [];
    let length = 0;
    let fresh = 0; // sentences in the window that no earlier chunk holds
    for (const sentence of section.sentences) {
      if (window.length && length + sentence.text.length > size) {
        emit(section.path, window);
        const carried: Sentence[] = [];
        let carriedLength = 0;
        for (let i = window.length - 1; i >= 0; i--) {
          const previous = window[i]!;
          if (carriedLength + previous.text.length > overlap || carriedLength + previous.text.length + sentence.text.length > size) break;
          carried.unshift(previous);
          carriedLength += previous.text.length;
        }
        window = carried;
        length = carriedLength;
        fresh = 0;
      }
      window.push(sentence);
      length += sentence.text.length;
      fresh++;
    }
    if (fresh > 0) emit(section.path, window);
  }
  return chunks;
}

/** Joins sentences: Chinese needs no space between them, Latin text does. */
function joinSentences(sentences: string[]): string {
  let text = '';
  for (const sentence of sentences) {
    const needsSpace = text && /[A-Za-z0-9.,;:!?]$/.test(text) && /^[A-Za-z0-9]/.test(sentence);
    text += (needsSpace ? ' ' : '') + sentence;
  }
  return text;
}
