// Every call the SPA makes, typed from the OpenAPI document.
import type { AxiosResponse } from 'axios';
import { cleanParams, http } from './client';
import type {
  Estadisticas,
  Evento,
  PagePersonas,
  PageSolicitudes,
  Persona,
  PersonaCreate,
  PersonaUpdate,
  PersonasQuery,
  Solicitud,
  SolicitudCreate,
  SolicitudUpdate,
  SolicitudesQuery,
  TransicionCreate,
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

export async function createSolicitud(body: SolicitudCreate): Promise<Versioned<Solicitud>> {
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

export async function getHistorial(id: string, opts: Opts = {}): Promise<Evento[]> {
  return (await http.get<Evento[]>(`/solicitudes/${enc(id)}/historial`, { signal: opts.signal })).data;
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
