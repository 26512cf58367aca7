// The review workflow, as the API defines it (shared/API.md, the `Estado` schema):
//
//   pendiente   → en_revision | cancelada
//   en_revision → aprobada | rechazada | pendiente | cancelada
//   aprobada, rechazada, cancelada: final
import type { Estado, Prioridad, Sort } from '../api/types';

export const ESTADOS = ['pendiente', 'en_revision', 'aprobada', 'rechazada', 'cancelada'] as const satisfies readonly Estado[];
export const PRIORIDADES = ['baja', 'media', 'alta', 'urgente'] as const satisfies readonly Prioridad[];

export const TRANSICIONES: Readonly<Record<Estado, readonly Estado[]>> = {
  pendiente: ['en_revision', 'cancelada'],
  en_revision: ['aprobada', 'rechazada', 'pendiente', 'cancelada'],
  aprobada: [],
  rechazada: [],
  cancelada: [],
};

export function esEstado(value: unknown): value is Estado {
  return typeof value === 'string' && (ESTADOS as readonly string[]).includes(value);
}

export function esPrioridad(value: unknown): value is Prioridad {
  return typeof value === 'string' && (PRIORIDADES as readonly string[]).includes(value);
}

/**
 * The estados a solicitud in `estado` can move to. When the server has said otherwise (the
 * `permitidos` of a 409), that list wins: it knows the current estado better than we do.
 */
export function siguientesEstados(estado: Estado, permitidos?: readonly unknown[] | null): Estado[] {
  if (permitidos) return permitidos.filter(esEstado);
  return [...(TRANSICIONES[estado] ?? [])];
}

export function esFinal(estado: Estado): boolean {
  return (TRANSICIONES[estado] ?? []).length === 0;
}

/** Rejecting needs a reason (the API answers a 422 otherwise). */
export function requiereComentario(destino: Estado): boolean {
  return destino === 'rechazada';
}

export const ESTADO_LABEL: Readonly<Record<Estado, string>> = {
  pendiente: 'Pendiente',
  en_revision: 'En revisión',
  aprobada: 'Aprobada',
  rechazada: 'Rechazada',
  cancelada: 'Cancelada',
};

/** The button that moves a solicitud to each estado. */
export const ACCION_LABEL: Readonly<Record<Estado, string>> = {
  pendiente: 'Devolver a pendiente',
  en_revision: 'Pasar a revisión',
  aprobada: 'Aprobar',
  rechazada: 'Rechazar',
  cancelada: 'Cancelar solicitud',
};

export const PRIORIDAD_LABEL: Readonly<Record<Prioridad, string>> = {
  baja: 'Baja',
  media: 'Media',
  alta: 'Alta',
  urgente: 'Urgente',
};

export const SORTS: readonly { value: Sort; label: string }[] = [
  { value: '-created_at', label: 'Más recientes primero' },
  { value: 'created_at', label: 'Más antiguas primero' },
  { value: '-updated_at', label: 'Modificadas recientemente' },
  { value: 'updated_at', label: 'Modificadas hace más tiempo' },
  { value: '-prioridad', label: 'Prioridad: urgente primero' },
  { value: 'prioridad', label: 'Prioridad: baja primero' },
];

export const DEFAULT_SORT: Sort = '-created_at';

export function esSort(value: unknown): value is Sort {
  return SORTS.some((s) => s.value === value);
}
