/** Extracts the text layer of a PDF; a scanned PDF without text yields an error, not an empty document. */
export async function pdfToText(bytes: Buffer): Promise<string> {
  // pdf-parse loads pdfjs's legacy build, which installs polyfills on the process's globals
  // (JSON.parse, Promise.withResolvers, navigator, …): it is loaded when a PDF is read, not before.
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    const result = await parser.getText();
    const text = result.text.replace(/\n-- \d+ of \d+ --\n/g, '\n').trim();
    return text;
  } finally {
    await parser.destroy();
  }
}
