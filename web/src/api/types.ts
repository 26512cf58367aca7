// Names for the generated API types (src/api/schema.d.ts, from the OpenAPI document).
import type { components, paths } from './schema';

type Schemas = components['schemas'];

export type Estado = Schemas['Estado'];
export type Prioridad = Schemas['Prioridad'];
export type Persona = Schemas['PersonaResponse'];
export type PersonaCreate = Schemas['PersonaCreate'];
export type PersonaUpdate = Schemas['PersonaUpdate'];
export type Solicitud = Schemas['SolicitudResponse'];
export type SolicitudCreate = Schemas['SolicitudCreate'];
export type SolicitudUpdate = Schemas['SolicitudUpdate'];
export type TransicionCreate = Schemas['TransicionCreate'];
export type TransicionConflict = Schemas['TransicionConflict'];
export type Evento = Schemas['EventoResponse'];
export type Estadisticas = Schemas['Estadisticas'];
export type ErrorEntry = Schemas['ErrorEntry'];
export type HttpValidationError = Schemas['HttpValidationError'];
export type ErrorMessage = Schemas['ErrorMessage'];
export type PageSolicitudes = Schemas['Page_SolicitudResponse'];
export type PagePersonas = Schemas['Page_PersonaResponse'];

export type SolicitudesQuery = NonNullable<paths['/api/v1/solicitudes']['get']['parameters']['query']>;
export type PersonasQuery = NonNullable<paths['/api/v1/personas']['get']['parameters']['query']>;
export type Sort = NonNullable<SolicitudesQuery['sort']>;

// ---- Identity and access (v1.1) -----------------------------------------------------------
// Hand-written from shared/API.md "Identity and access (v1.1)" until the backend's OpenAPI
// document describes them; then `npm run gen:api` and these become `Schemas['…']` aliases.

/** Who an account is: what it may do follows from it (see src/lib/access.ts). */
export type Rol = 'solicitante' | 'revisor' | 'admin';

/** An account. `persona_id`: the persona its holder files as (a solicitante always has one). */
export interface Usuario {
  id: string;
  email: string;
  rol: Rol;
  persona_id: string | null;
  activo: boolean;
  created_at: string;
  updated_at: string;
}

/** `POST /auth/cookie`: `username` is the email, as in OAuth2's password grant. */
export interface LoginBody {
  username: string;
  password: string;
}

/** One of the caller's live sessions (`GET /auth/sesiones`); `actual`: this very one. */
export interface Sesion {
  id: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  user_agent: string | null;
  actual: boolean;
}

/** `POST /auth/password`. */
export interface PasswordChange {
  actual: string;
  nueva: string;
}

/** `POST /usuarios` (admin). */
export interface UsuarioCreate {
  email: string;
  password: string;
  rol: Rol;
  persona_id?: string | null;
}

/** `PATCH /usuarios/{id}` (admin): absent fields stay as they are. */
export interface UsuarioUpdate {
  email?: string;
  rol?: Rol;
  activo?: boolean;
  password?: string;
  persona_id?: string | null;
}

export interface PageUsuarios {
  items: Usuario[];
  next_cursor: string | null;
  total?: number | null;
}

export interface UsuariosQuery {
  q?: string;
  rol?: Rol;
  activo?: boolean;
  limit?: number;
  cursor?: string;
  count?: boolean;
}

/** Who made a change in the historial; `null` for events from before accounts existed. */
export interface Actor {
  id: string;
  email: string;
}

/** A historial event with its actor (v1.1). */
export type EventoConActor = Evento & { actor?: Actor | null };

/** v1.1: `persona_id` may be omitted (the caller's own persona); admins must give it. */
export type SolicitudCreateV11 = Omit<SolicitudCreate, 'persona_id'> & { persona_id?: string };
