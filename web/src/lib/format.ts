const dateTime = new Intl.DateTimeFormat('es-ES', { dateStyle: 'medium', timeStyle: 'short' });

/** `2026-11-22T14:00:19.023561Z` → `22 nov 2026, 15:00` (in the browser's time zone). */
export function fecha(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

const number = new Intl.NumberFormat('es-ES');

export function numero(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : number.format(n);
}

/** `1 solicitud`, `3 solicitudes`. */
export function plural(n: number, uno: string, varios: string): string {
  return `${numero(n)} ${n === 1 ? uno : varios}`;
}
