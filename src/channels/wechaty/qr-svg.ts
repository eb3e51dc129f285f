import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type QRCodeModel = { addData(data: string): void; make(): void; getModuleCount(): number; isDark(row: number, column: number): boolean };
// qrcode-terminal bundles a complete QR encoder; it draws the terminal code and this SVG alike.
const QRCode = require('qrcode-terminal/vendor/QRCode') as new (typeNumber: number, level: number) => QRCodeModel;
const QRErrorCorrectLevel = require('qrcode-terminal/vendor/QRCode/QRErrorCorrectLevel') as { M: number };

/** The QR code of `text` as an SVG image, for the login page. */
export function qrSvg(text: string, moduleSize = 6): string {
  const qr = new QRCode(-1, QRErrorCorrectLevel.M);
  qr.addData(text);
  qr.make();
  const count = qr.getModuleCount();
  const border = 4;
  const size = (count + border * 2) * moduleSize;
  const cells: string[] = [];
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < count; column++) {
      if (qr.isDark(row, column)) cells.push(`M${(column + border) * moduleSize},${(row + border) * moduleSize}h${moduleSize}v${moduleSize}h-${moduleSize}z`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" role="img" aria-label="登录二维码"><rect width="100%" height="100%" fill="#fff"/><path d="${cells.join('')}" fill="#000"/></svg>`;
}
