/** One source file of the knowledge base, loaded and normalised to Markdown-like text. */
export type KnowledgeDocument = {
  /** Path relative to the knowledge directory, with forward slashes: the document's identity. */
  source: string;
  format: DocumentFormat;
  title: string;
  issuer?: string;
  /** Where the facts come from (front matter `source`). */
  origin?: string;
  tags: string[];
  docNumber?: string;
  /** ISO dates (YYYY-MM-DD). */
  effective?: string;
  expires?: string;
  /** A question-and-answer document: sections are questions, their text the answers. */
  faq?: boolean;
  /** Body text; headings are `#` lines so the chunker can keep the heading path. */
  text: string;
  /** sha256 of the file's bytes: what incremental indexing compares. */
  contentHash: string;
};

export type DocumentFormat = 'md' | 'txt' | 'html' | 'docx' | 'pdf';

/** Metadata every chunk carries from its document. */
export type DocumentMeta = Pick<KnowledgeDocument, 'source' | 'title' | 'issuer' | 'origin' | 'tags' | 'docNumber' | 'effective' | 'expires' | 'faq'>;

export type Chunk = DocumentMeta & {
  /** `${source}#${ordinal}` */
  id: string;
  ordinal: number;
  /** Heading path below the document title, joined with " / "; empty for text before the first heading. */
  section: string;
  text: string;
  /** Index range of the document's sentences this chunk covers, inclusive: used to spot overlapping hits. */
  sentenceStart: number;
  sentenceEnd: number;
};

/** A file that could not be loaded, and why. */
export type SkippedFile = { source: string; reason: string };
