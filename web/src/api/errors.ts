import { isAxiosError } from 'axios';
import type { Estado } from './types';

/**
 * One entry of a 422 body. Declared here rather than taken from the generated `ErrorEntry`,
 * whose `loc` items the OpenAPI document types as objects: they are strings (and, in
 * FastAPI, integers for list indexes).
 */
export interface ValidationEntry {
  loc: readonly (string | number)[];
  msg: string;
  type: string;
}

/** A failed request, ready for the UI. */
export interface ApiError {
  /** HTTP status; 0 when no answer arrived (network down, timeout, CORS). */
  status: number;
  /** One sentence for the user, in Spanish. */
  message: string;
  /** 422 entries that name a body field (`loc[1]`): field → message. */
  fields: Record<string, string>;
  /** 422 entries about anything else (query, header, body as a whole, unknown fields). */
  general: string[];
  /** For a 409 on a transition: the estados the solicitud can move to now. */
  permitidos?: Estado[];
  /** Seconds to wait before trying again (`Retry-After` of a 429 or 503), when given. */
  retryAfter?: number;
  /** Worth trying again as is (503, no answer). */
  retryable: boolean;
  /** The X-Request-Id of the response, to quote when reporting a problem. */
  requestId?: string;
}

export const MSG_UNAVAILABLE = 'El servicio no está disponible, reintenta.';
export const MSG_NETWORK = 'No se pudo conectar con el servicio. Comprueba la conexión y reintenta.';
export const MSG_INVALID = 'Revisa los datos marcados.';
export const MSG_FORBIDDEN = 'No tienes permiso para hacer esto.';
export const MSG_UNAUTHENTICATED = 'Tu sesión ha terminado. Vuelve a iniciar sesión.';

/** `Retry-After` in seconds: either a number of seconds or an HTTP date. */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** `45` → `45 segundos`, `61` → `2 minutos` (rounded up: better to wait a bit too long). */
export function espera(seconds: number): string {
  if (seconds <= 1) return '1 segundo';
  if (seconds < 60) return `${seconds} segundos`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minuto' : `${new Intl.NumberFormat('es-ES').format(minutes)} minutos`;
}

export function msgTooMany(seconds: number | undefined): string {
  return seconds === undefined
    ? 'Demasiados intentos. Espera un poco antes de volver a intentarlo.'
    : `Demasiados intentos. Espera ${espera(seconds)} antes de volver a intentarlo.`;
}

const LOC_NAMES: Record<string, string> = {
  query: 'parámetro',
  header: 'cabecera',
  path: 'ruta',
  body: 'campo',
};

/**
 * Splits a FastAPI-style 422 into messages per form field and general ones.
 *
 * An entry `{"loc": ["body", "titulo"], …}` belongs to the field `titulo` when `fields`
 * (the form's fields) includes it, or when no list is given. Every other entry (a query
 * parameter, a header, the body as a whole, a field the form does not have) is general.
 * Several messages for one field are joined.
 */
export function mapValidationErrors(
  detail: readonly ValidationEntry[],
  fields?: readonly string[],
): { fields: Record<string, string>; general: string[] } {
  const byField: Record<string, string> = {};
  const general: string[] = [];
  for (const entry of detail) {
    const loc = Array.isArray(entry.loc) ? entry.loc.map(String) : [];
    const [where, name] = loc;
    if (where === 'body' && name !== undefined && loc.length >= 2 && (!fields || fields.includes(name))) {
      byField[name] = byField[name] ? `${byField[name]} ${entry.msg}` : entry.msg;
    } else if (where === 'body' && loc.length === 1) {
      general.push(entry.msg);
    } else {
      const place = loc.slice(1).join('.');
      const kind = LOC_NAMES[where ?? ''] ?? where ?? '';
      general.push(place ? `${kind} «${place}»: ${entry.msg}` : entry.msg);
    }
  }
  return { fields: byField, general };
}

function isEntryList(value: unknown): value is ValidationEntry[] {
  return Array.isArray(value) && value.every((e) => e && typeof e === 'object' && typeof e.msg === 'string');
}

/** Turns whatever a request threw into an ApiError. `fields`: see mapValidationErrors. */
export function toApiError(error: unknown, fields?: readonly string[]): ApiError {
  const base: ApiError = { status: 0, message: MSG_NETWORK, fields: {}, general: [], retryable: true };
  if (!isAxiosError(error)) {
    return { ...base, message: error instanceof Error ? error.message : String(error), retryable: false };
  }
  const res = error.response;
  if (!res) return base;
  const data = res.data as { detail?: unknown; permitidos?: unknown } | undefined;
  const detail = data?.detail;
  const requestId = (res.headers?.['x-request-id'] as string | undefined) ?? undefined;
  const retryAfter = parseRetryAfter(res.headers?.['retry-after']);
  const out: ApiError = { ...base, status: res.status, retryable: false, requestId };
  if (retryAfter !== undefined) out.retryAfter = retryAfter;

  if (res.status === 422 && isEntryList(detail)) {
    const mapped = mapValidationErrors(detail, fields);
    return { ...out, message: MSG_INVALID, ...mapped };
  }
  if (res.status === 503 || res.status === 502 || res.status === 504) {
    return { ...out, message: MSG_UNAVAILABLE, retryable: true };
  }
  if (res.status >= 500) {
    const ref = requestId ? ` Si se repite, comunica el identificador ${requestId}.` : '';
    return { ...out, message: `Error inesperado del servicio (${res.status}).${ref}` };
  }
  const text = typeof detail === 'string' && detail ? detail : `Error ${res.status}`;
  if (res.status === 401) {
    return { ...out, message: MSG_UNAUTHENTICATED };
  }
  if (res.status === 403) {
    // Said plainly, with the API's reason below it: the UI hides what the role may not do,
    // so a 403 means the rules changed (a new role) or the data did meanwhile.
    return { ...out, message: MSG_FORBIDDEN, general: typeof detail === 'string' && detail ? [detail] : [] };
  }
  if (res.status === 429) {
    return { ...out, message: msgTooMany(retryAfter) };
  }
  if (res.status === 409 && Array.isArray(data?.permitidos)) {
    return { ...out, message: text, permitidos: data.permitidos as Estado[] };
  }
  return { ...out, message: text };
}
