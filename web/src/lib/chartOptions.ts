import type { ChartOptions, TooltipItem } from 'chart.js';
import { numero } from './format';

/** A tick or a bar's value, written the Spanish way (`12.345`), as everywhere else. */
export function tickLabel(value: number | string): string {
  return typeof value === 'number' ? numero(value) : value;
}

export function tooltipLabel(item: TooltipItem<'bar'>): string {
  return `${item.dataset.label ?? ''}: ${numero(item.parsed.y)}`;
}

/** Options of the dashboard's bar charts: counts on the y axis, formatted for es-ES. */
export function barOptions(): ChartOptions<'bar'> {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    // chart.js formats numbers with Intl in this locale (ticks, tooltips) when no callback does.
    locale: 'es-ES',
    plugins: {
      legend: { display: false },
      tooltip: { enabled: true, callbacks: { label: tooltipLabel } },
    },
    scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: tickLabel } } },
  };
}
