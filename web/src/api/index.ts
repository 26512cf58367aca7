// Every call the SPA makes, typed from the OpenAPI document.
import type { AxiosResponse } from 'axios';
import { cleanParams, http } from './client';
import type {
  Estadisticas,
  EventoConActor,
  LoginBody,
  PagePersonas,
  PageUsuarios,
  PasswordChange,
  PageSolicitudes,
  Persona,
  PersonaCreate,
  PersonaUpdate,
  PersonasQuery,
  Sesion,
  Solicitud,
  SolicitudCreateV11,
  SolicitudUpdate,
  SolicitudesQuery,
  TransicionCreate,
  Usuario,
  UsuarioCreate,
  UsuarioUpdate,
  UsuariosQuery,
} from './types';

/** A solicitud with its ETag (its version in quotes), to send back as If-Match. */
export interface Versioned<T> {
  data: T;
  etag: string;
}

function withEtag(res: AxiosResponse<Solicitud>): Versioned<Solicitud> {
  const header = res.headers?.etag as string | undefined;
  // The API sends `ETag: "<version>"` (and exposes it to CORS callers); the body's version
  // is the same value, a fallback if a proxy strips the header.
  return { data: res.data, etag: header || `"${res.data.version}"` };
}

const enc = encodeURIComponent;
type Opts = { signal?: AbortSignal };

// ---- solicitudes -------------------------------------------------------------------------

export async function listSolicitudes(query: SolicitudesQuery, opts: Opts = {}): Promise<PageSolicitudes> {
  const res = await http.get<PageSolicitudes>('/solicitudes', { params: cleanParams(query), signal: opts.signal });
  return res.data;
}

export async function getSolicitud(id: string, opts: Opts = {}): Promise<Versioned<Solicitud>> {
  return withEtag(await http.get<Solicitud>(`/solicitudes/${enc(id)}`, { signal: opts.signal }));
}

export async function createSolicitud(body: SolicitudCreateV11): Promise<Versioned<Solicitud>> {
  return withEtag(await http.post<Solicitud>('/solicitudes', body));
}

export async function updateSolicitud(id: string, body: SolicitudUpdate, etag: string): Promise<Versioned<Solicitud>> {
  return withEtag(await http.patch<Solicitud>(`/solicitudes/${enc(id)}`, body, { headers: { 'If-Match': etag } }));
}

export async function deleteSolicitud(id: string, etag: string): Promise<void> {
  await http.delete(`/solicitudes/${enc(id)}`, { headers: { 'If-Match': etag } });
}

export async function transicionar(id: string, body: TransicionCreate, etag: string): Promise<Versioned<Solicitud>> {
  return withEtag(
    await http.post<Solicitud>(`/solicitudes/${enc(id)}/transiciones`, body, { headers: { 'If-Match': etag } }),
  );
}

export async function getHistorial(id: string, opts: Opts = {}): Promise<EventoConActor[]> {
  return (await http.get<EventoConActor[]>(`/solicitudes/${enc(id)}/historial`, { signal: opts.signal })).data;
}

// ---- personas ----------------------------------------------------------------------------

export async function listPersonas(query: PersonasQuery, opts: Opts = {}): Promise<PagePersonas> {
  return (await http.get<PagePersonas>('/personas', { params: cleanParams(query), signal: opts.signal })).data;
}

export async function getPersona(id: string, opts: Opts = {}): Promise<Persona> {
  return (await http.get<Persona>(`/personas/${enc(id)}`, { signal: opts.signal })).data;
}

export async function createPersona(body: PersonaCreate): Promise<Persona> {
  return (await http.post<Persona>('/personas', body)).data;
}

export async function updatePersona(id: string, body: PersonaUpdate): Promise<Persona> {
  return (await http.patch<Persona>(`/personas/${enc(id)}`, body)).data;
}

export async function deletePersona(id: string): Promise<void> {
  await http.delete(`/personas/${enc(id)}`);
}

// ---- estadísticas ------------------------------------------------------------------------

export async function getEstadisticas(opts: Opts = {}): Promise<Estadisticas> {
  return (await http.get<Estadisticas>('/estadisticas', { signal: opts.signal })).data;
}

// ---- sesión (the web session is the HttpOnly cookie; see src/lib/session.ts) ---------------

/** Logs in: the answer sets the session cookie and carries the usuario. */
export async function login(body: LoginBody): Promise<Usuario> {
  return (await http.post<Usuario>('/auth/cookie', body)).data;
}

export async function logout(): Promise<void> {
  await http.post('/auth/logout');
}

export async function getMe(opts: Opts = {}): Promise<Usuario> {
  return (await http.get<Usuario>('/auth/me', { signal: opts.signal })).data;
}

export async function listSesiones(opts: Opts = {}): Promise<Sesion[]> {
  return (await http.get<Sesion[]>('/auth/sesiones', { signal: opts.signal })).data;
}

export async function deleteSesion(id: string): Promise<void> {
  await http.delete(`/auth/sesiones/${enc(id)}`);
}

/** 204; the account's other sessions are closed. A wrong `actual` is a 422 on it. */
export async function changePassword(body: PasswordChange): Promise<void> {
  await http.post('/auth/password', body);
}

// ---- usuarios (admin) ----------------------------------------------------------------------

export async function listUsuarios(query: UsuariosQuery, opts: Opts = {}): Promise<PageUsuarios> {
  return (await http.get<PageUsuarios>('/usuarios', { params: cleanParams(query), signal: opts.signal })).data;
}

export async function getUsuario(id: string, opts: Opts = {}): Promise<Usuario> {
  return (await http.get<Usuario>(`/usuarios/${enc(id)}`, { signal: opts.signal })).data;
}

export async function createUsuario(body: UsuarioCreate): Promise<Usuario> {
  return (await http.post<Usuario>('/usuarios', body)).data;
}

export async function updateUsuario(id: string, body: UsuarioUpdate): Promise<Usuario> {
  return (await http.patch<Usuario>(`/usuarios/${enc(id)}`, body)).data;
}
