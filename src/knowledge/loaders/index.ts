import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { DocumentFormat, KnowledgeDocument, SkippedFile } from '../document.ts';
import { parseFrontMatter, type FrontMatter } from '../front-matter.ts';
import { docxToText } from './docx.ts';
import { htmlToText } from './html.ts';
import { pdfToText } from './pdf.ts';

const FORMATS: Record<string, DocumentFormat> = {
  '.md': 'md',
  '.markdown': 'md',
  '.txt': 'txt',
  '.html': 'html',
  '.htm': 'html',
  '.docx': 'docx',
  '.pdf': 'pdf',
};

export function formatOf(file: string): DocumentFormat | undefined {
  return FORMATS[path.extname(file).toLowerCase()];
}

/** Loads one file's bytes into a document; throws with a readable reason when the file is unusable. */
export async function parseDocument(source: string, bytes: Buffer): Promise<KnowledgeDocument> {
  const format = formatOf(source);
  if (!format) throw new Error(`unsupported file type "${path.extname(source)}"`);
  let front: FrontMatter = { tags: [], faq: false };
  let title: string | undefined;
  let text: string;
  switch (format) {
    case 'md': {
      const parsed = parseFrontMatter(decodeUtf8(bytes));
      front = parsed.data;
      text = parsed.body;
      break;
    }
    case 'txt':
      text = decodeUtf8(bytes);
      break;
    case 'html':
      ({ title, text } = htmlToText(decodeUtf8(bytes)));
      break;
    case 'docx':
      ({ title, text } = await docxToText(bytes));
      break;
    case 'pdf':
      text = await pdfToText(bytes);
      break;
  }
  text = text.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new Error('no text could be extracted (empty file, or a scan without a text layer)');
  const firstHeading = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
  const document: KnowledgeDocument = {
    source,
    format,
    title: front.title ?? firstHeading ?? title ?? path.basename(source, path.extname(source)),
    tags: front.tags,
    text,
    contentHash: createHash('sha256').update(bytes).digest('hex'),
  };
  if (front.issuer !== undefined) document.issuer = front.issuer;
  if (front.source !== undefined) document.origin = front.source;
  if (front.doc_number !== undefined) document.docNumber = front.doc_number;
  if (front.effective !== undefined) document.effective = front.effective;
  if (front.expires !== undefined) document.expires = front.expires;
  if (front.faq) document.faq = true;
  return document;
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error('the file is not valid UTF-8 text (save it as UTF-8 and ingest again)');
  }
}

/** Every supported file below `dir`, as sorted relative POSIX paths. */
export async function listKnowledgeFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && formatOf(entry.name) && !entry.name.startsWith('.'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/**
 * Loads every supported file below `dir`. A file that cannot be read or parsed is skipped with its
 * reason, so one corrupt upload never stops the rest of the knowledge base from being indexed.
 */
export async function loadDirectory(dir: string): Promise<{ documents: KnowledgeDocument[]; skipped: SkippedFile[] }> {
  const documents: KnowledgeDocument[] = [];
  const skipped: SkippedFile[] = [];
  for (const source of await listKnowledgeFiles(dir)) {
    try {
      const bytes = await readFile(path.join(dir, source));
      documents.push(await parseDocument(source, bytes));
    } catch (error) {
      skipped.push({ source, reason: (error as Error).message || String(error) });
    }
  }
  return { documents, skipped };
}
