// What each role may do, as the API decides it (shared/API.md, "Who may do what"). The UI
// uses it to show only the actions the caller may take; the API enforces it regardless, and
// a 403 that still happens is shown as such.
import type { Estado, Rol, Solicitud, Usuario } from '../api/types';
import { esFinal } from './workflow';

type Quien = Pick<Usuario, 'rol' | 'persona_id'> | null | undefined;

export const ROL_LABEL: Readonly<Record<Rol, string>> = {
  solicitante: 'Solicitante',
  revisor: 'Revisor',
  admin: 'Administrador',
};

export const ROLES = ['solicitante', 'revisor', 'admin'] as const satisfies readonly Rol[];

export function esRol(value: unknown): value is Rol {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export const esAdmin = (u: Quien): boolean => u?.rol === 'admin';
export const esRevisor = (u: Quien): boolean => u?.rol === 'revisor' || u?.rol === 'admin';

/** The solicitud is the caller's own: filed for their persona. */
export function esPropia(u: Quien, s: Pick<Solicitud, 'persona_id'>): boolean {
  return !!u?.persona_id && u.persona_id === s.persona_id;
}

/** Sees every persona and solicitud (not only their own). */
export const veTodo = (u: Quien): boolean => u?.rol === 'revisor' || u?.rol === 'admin';

/** May file solicitudes: for their own persona (admins: for anyone). */
export function puedeCrearSolicitud(u: Quien): boolean {
  return esAdmin(u) || (!!u && !!u.persona_id && (u.rol === 'solicitante' || u.rol === 'revisor'));
}

/** Admins choose the persona; everyone else files for their own (the API's default). */
export const eligePersona = (u: Quien): boolean => esAdmin(u);

export function puedeEditarSolicitud(u: Quien, s: Pick<Solicitud, 'persona_id' | 'estado'>): boolean {
  if (esFinal(s.estado)) return false;
  return esAdmin(u) || esPropia(u, s);
}

export const puedeEliminarSolicitud = (u: Quien): boolean => esAdmin(u);

/**
 * Whether the caller may move the solicitud to `destino` (the workflow allowing it is another
 * matter: see workflow.ts). Withdrawing (`cancelada`) is the owner's; reviewing is a revisor's,
 * never on their own solicitud (separation of duties); admins may do both.
 */
export function puedeTransicionar(u: Quien, s: Pick<Solicitud, 'persona_id'>, destino: Estado): boolean {
  if (!u) return false;
  if (esAdmin(u)) return true;
  if (destino === 'cancelada') return esPropia(u, s);
  return u.rol === 'revisor' && !esPropia(u, s);
}

/** The persona's data may be edited: one's own, or any by an admin. */
export function puedeEditarPersona(u: Quien, personaId: string): boolean {
  return esAdmin(u) || (!!u?.persona_id && u.persona_id === personaId);
}

export const gestionaPersonas = (u: Quien): boolean => esAdmin(u);
export const gestionaUsuarios = (u: Quien): boolean => esAdmin(u);

/** The first page after logging in. */
export function inicio(u: Quien): string {
  return u?.rol === 'revisor' ? '/revision' : '/solicitudes';
}
