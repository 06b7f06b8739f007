/** Tableau 10: distinct, and readable on light and dark backgrounds. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** One colour per model, the same in every chart and the legend, in the order given. */
export function modelColors(models: string[]): (model: string) => string {
  const colors = new Map(models.map((model, index) => [model, PALETTE[index] ?? `hsl(${Math.round((index * 137.5) % 360)} 55% 50%)`]));
  return (model) => colors.get(model) ?? '#888888';
}
