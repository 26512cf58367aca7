import { nextTick } from 'vue';
import type { Prioridad, Rol } from '../api/types';

export interface SolicitudDraft {
  titulo: string;
  descripcion: string;
  prioridad: Prioridad;
  persona_id: string;
}

export const SOLICITUD_FIELDS = ['titulo', 'descripcion', 'prioridad', 'persona_id'] as const;

export interface PersonaDraft {
  nombre: string;
  /** As typed: converted when sent, so the API judges what the user wrote. */
  edad: string;
  email: string;
}

export const PERSONA_FIELDS = ['nombre', 'edad', 'email'] as const;

/** What an admin sets on an account: email, rol and persona (the password apart). */
export interface UsuarioDraft {
  email: string;
  rol: Rol;
  /** `''`: none. */
  persona_id: string;
}

/** `"34"` → 34; `""` → undefined (absent: the API says it is required); anything else as
 *  typed, so the API answers with its own message ("Debe ser un número entero"). */
export function edadValue(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/** Focuses the first control, in form order, that has an error. */
export function focusFirstError(order: readonly string[], errors: Record<string, string>): void {
  const first = order.find((f) => errors[f]);
  if (!first) return;
  void nextTick(() => document.getElementById(first)?.focus());
}
