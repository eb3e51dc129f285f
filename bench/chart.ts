type Point = { chunks: number; latencyMs: Record<'lexical' | 'vector' | 'hybrid' | 'exact' | 'hnsw', { p95: number }> };

const SERIES = [
  { key: 'lexical', label: 'BM25', color: '#1a7f4b' },
  { key: 'vector', label: '向量（稀疏精确）', color: '#0b5cab' },
  { key: 'hnsw', label: 'HNSW（对照）', color: '#6b21a8' },
  { key: 'hybrid', label: '混合', color: '#b45309' },
  { key: 'exact', label: '精确向量（暴力）', color: '#b42318' },
] as const;

/** p95 query latency against corpus size, both on log scales, as a standalone SVG. */
export function latencyChart(points: Point[]): string {
  const width = 640;
  const height = 380;
  const margin = { left: 64, right: 150, top: 30, bottom: 50 };
  const xs = points.map((point) => Math.log10(point.chunks));
  const values = points.flatMap((point) => SERIES.map((series) => Math.max(0.01, point.latencyMs[series.key].p95)));
  const [yMin, yMax] = [Math.floor(Math.log10(Math.min(...values))), Math.ceil(Math.log10(Math.max(...values)))];
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const x = (chunks: number) => margin.left + ((Math.log10(chunks) - xMin) / Math.max(0.001, xMax - xMin)) * (width - margin.left - margin.right);
  const y = (ms: number) => height - margin.bottom - ((Math.log10(Math.max(0.01, ms)) - yMin) / Math.max(0.001, yMax - yMin)) * (height - margin.top - margin.bottom);
  const grid: string[] = [];
  for (let power = yMin; power <= yMax; power++) {
    const value = 10 ** power;
    grid.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(value)}" y2="${y(value)}" stroke="#e3e8ee"/><text x="${margin.left - 8}" y="${y(value) + 4}" text-anchor="end" font-size="12">${value} ms</text>`);
  }
  for (const point of points) grid.push(`<text x="${x(point.chunks)}" y="${height - margin.bottom + 20}" text-anchor="middle" font-size="12">${point.chunks.toLocaleString('en')}</text>`);
  const lines = SERIES.map((series, index) => {
    const path = points.map((point, i) => `${i ? 'L' : 'M'}${x(point.chunks).toFixed(1)},${y(point.latencyMs[series.key].p95).toFixed(1)}`).join('');
    const dots = points.map((point) => `<circle cx="${x(point.chunks)}" cy="${y(point.latencyMs[series.key].p95)}" r="3.5" fill="${series.color}"/>`).join('');
    return `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>${dots}<rect x="${width - margin.right + 16}" y="${margin.top + index * 22}" width="12" height="12" fill="${series.color}"/><text x="${width - margin.right + 34}" y="${margin.top + index * 22 + 11}" font-size="12">${series.label}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/><text x="${margin.left}" y="18" font-size="14">检索延迟 p95（对数坐标）与语料规模</text>${grid.join('')}${lines}<text x="${(margin.left + width - margin.right) / 2}" y="${height - 12}" text-anchor="middle" font-size="12">段落数（chunks）</text></svg>\n`;
}
