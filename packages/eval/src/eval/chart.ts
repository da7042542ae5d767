import type { PolicyPoint } from './metrics.js';

/** A labelled point on the chart. */
export interface ChartPoint extends PolicyPoint {
  label: string;
}

/** Options of {@link costQualityChart}. */
export interface ChartOptions {
  title: string;
  /** The cascade's curve across thresholds (calibration targets), in order. */
  curve: ChartPoint[];
  /** The cascade as evaluated, highlighted. */
  cascade: ChartPoint;
  /** Baselines, drawn as labelled markers. */
  baselines: ChartPoint[];
  /** Target quality, drawn as a dashed line. */
  target?: number;
}

const W = 640;
const H = 420;
const M = { left: 60, right: 190, top: 40, bottom: 50 };

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Draws cost (x, share of always-strongest) against quality (y, share of the strongest model's accuracy)
 * as a standalone SVG: the cascade's curve across thresholds, the evaluated point, and the baselines.
 *
 * @example
 * ```ts
 * writeFileSync('chart.svg', costQualityChart({ title: 'mmlu / llama', curve, cascade, baselines, target: 0.95 }));
 * ```
 */
export function costQualityChart(o: ChartOptions): string {
  const all = [...o.curve, o.cascade, ...o.baselines];
  const qMin = Math.min(...all.map((p) => p.quality_ratio)) - 0.03;
  const qMax = Math.max(1.02, ...all.map((p) => p.quality_ratio)) + 0.01;
  const cMax = Math.max(1.05, ...all.map((p) => p.cost_ratio));
  const x = (c: number) => M.left + (c / cMax) * (W - M.left - M.right);
  const y = (q: number) => H - M.bottom - ((q - qMin) / (qMax - qMin)) * (H - M.top - M.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const c = (cMax * i) / 5;
    parts.push(`<line x1="${x(c)}" y1="${y(qMin)}" x2="${x(c)}" y2="${y(qMax)}" stroke="#eee"/>`);
    parts.push(`<text x="${x(c)}" y="${H - M.bottom + 16}" text-anchor="middle">${c.toFixed(2)}</text>`);
    const q = qMin + ((qMax - qMin) * i) / 5;
    parts.push(`<line x1="${x(0)}" y1="${y(q)}" x2="${x(cMax)}" y2="${y(q)}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(q) + 4}" text-anchor="end">${q.toFixed(2)}</text>`);
  }
  parts.push(
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">cost (share of always using the strongest model)</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle">quality (share of the strongest model's accuracy)</text>`,
  );
  if (o.target !== undefined) {
    parts.push(
      `<line x1="${x(0)}" y1="${y(o.target)}" x2="${x(cMax)}" y2="${y(o.target)}" stroke="#999" stroke-dasharray="4 4"/>`,
    );
    parts.push(
      `<text x="${x(cMax) - 4}" y="${y(o.target) - 4}" text-anchor="end" fill="#666">target ${o.target}</text>`,
    );
  }
  const curve = [...o.curve].sort((a, b) => a.cost_ratio - b.cost_ratio);
  if (curve.length > 1) {
    parts.push(
      `<polyline fill="none" stroke="#2563eb" stroke-width="2" points="${curve.map((p) => `${x(p.cost_ratio).toFixed(1)},${y(p.quality_ratio).toFixed(1)}`).join(' ')}"/>`,
    );
  }
  for (const p of curve) {
    parts.push(
      `<circle cx="${x(p.cost_ratio).toFixed(1)}" cy="${y(p.quality_ratio).toFixed(1)}" r="3" fill="#2563eb"><title>${esc(p.label)}</title></circle>`,
    );
  }
  // Markers on the plot, names in a legend to the right (labels beside close points would overlap).
  const colors = ['#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
  const legendX = W - M.right + 16;
  let legendY = M.top + 10;
  const legend = (marker: string, label: string, color: string) => {
    parts.push(marker.replace('{x}', String(legendX)).replace('{y}', String(legendY)));
    parts.push(`<text x="${legendX + 14}" y="${legendY + 4}" fill="${color}">${esc(label)}</text>`);
    legendY += 20;
  };
  const cx = x(o.cascade.cost_ratio);
  const cy = y(o.cascade.quality_ratio);
  parts.push(
    `<circle cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="7" fill="none" stroke="#1d4ed8" stroke-width="3"/>`,
  );
  legend(
    '<circle cx="{x}" cy="{y}" r="6" fill="none" stroke="#1d4ed8" stroke-width="3"/>',
    o.cascade.label,
    '#1d4ed8',
  );
  if (curve.length > 0)
    legend('<circle cx="{x}" cy="{y}" r="3" fill="#2563eb"/>', 'across targets', '#2563eb');
  o.baselines.forEach((p, i) => {
    const color = colors[i % colors.length]!;
    parts.push(
      `<rect x="${(x(p.cost_ratio) - 4).toFixed(1)}" y="${(y(p.quality_ratio) - 4).toFixed(1)}" width="8" height="8" fill="${color}"><title>${esc(p.label)}</title></rect>`,
    );
    legend(
      `<rect x="{x}" y="{y}" width="8" height="8" fill="${color}" transform="translate(-4 -4)"/>`,
      p.label,
      color,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
