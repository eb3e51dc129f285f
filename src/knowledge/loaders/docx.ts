import mammoth from 'mammoth';
import { htmlToText } from './html.ts';

/** Word documents go through mammoth's semantic HTML, so headings survive as headings. */
export async function docxToText(bytes: Buffer): Promise<{ title: string | undefined; text: string }> {
  const result = await mammoth.convertToHtml({ buffer: bytes });
  return htmlToText(result.value);
}
