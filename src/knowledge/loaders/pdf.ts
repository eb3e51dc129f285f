import { PDFParse } from 'pdf-parse';

/** Extracts the text layer of a PDF; a scanned PDF without text yields an error, not an empty document. */
export async function pdfToText(bytes: Buffer): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    const text = result.text.replace(/\n-- \d+ of \d+ --\n/g, '\n').trim();
    return text;
  } finally {
    await parser.destroy();
  }
}
