import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createMemoryHistory, createRouter } from 'vue-router';
import { routes } from '../src/router';

/** What axios throws for an HTTP error status. */
export function httpError(status: number, data: unknown, headers: Record<string, string> = {}): AxiosError {
  const config = { headers: new AxiosHeaders() };
  const response = { status, statusText: '', data, headers, config } as AxiosResponse;
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', config, {}, response);
}

/** What axios throws when no answer arrives. */
export function networkError(): AxiosError {
  return new AxiosError('Network Error', 'ERR_NETWORK', { headers: new AxiosHeaders() }, {});
}

export async function routerAt(path: string) {
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  await router.isReady();
  return router;
}

export const solicitud = (over: Record<string, unknown> = {}) => ({
  id: '0193a3f5-2a4b-7c3e-9f40-abcdef012345',
  titulo: 'Cambio de turno',
  descripcion: 'Turno de mañana',
  prioridad: 'media' as const,
  estado: 'pendiente' as const,
  persona_id: '0193a3f4-1c2b-7d3e-8f40-123456789abc',
  version: 1,
  created_at: '2026-11-22T10:15:30.123456Z',
  updated_at: '2026-11-22T10:15:30.123456Z',
  ...over,
});

export const persona = (over: Record<string, unknown> = {}) => ({
  id: '0193a3f4-1c2b-7d3e-8f40-123456789abc',
  nombre: 'Ana Pérez',
  edad: 34,
  email: 'ana@example.com',
  created_at: '2026-11-22T10:15:30.123456Z',
  updated_at: '2026-11-22T10:15:30.123456Z',
  ...over,
});

export const ADMIN_ID = '0193a3f6-0000-7000-8000-00000000ad01';
export const REVISOR_ID = '0193a3f6-0000-7000-8000-00000000e501';
export const SOLICITANTE_ID = '0193a3f6-0000-7000-8000-000000005011';

/** A usuario of the given rol; the solicitante files as `persona()`, the revisor as another. */
export const usuarioDe = (rol: 'solicitante' | 'revisor' | 'admin', over: Record<string, unknown> = {}) => ({
  id: rol === 'admin' ? ADMIN_ID : rol === 'revisor' ? REVISOR_ID : SOLICITANTE_ID,
  email: `${rol}@example.com`,
  rol,
  persona_id: rol === 'solicitante' ? persona().id : rol === 'revisor' ? '0193a3f4-1c2b-7d3e-8f40-0000000000e5' : null,
  activo: true,
  created_at: '2026-11-22T10:15:30.123456Z',
  updated_at: '2026-11-22T10:15:30.123456Z',
  ...over,
});

/** One request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  data: unknown;
  headers: Record<string, unknown>;
  withCredentials: boolean | undefined;
}

type Reply = { status: number; data?: unknown; headers?: Record<string, string> };
type Handler = (req: SeenRequest) => Reply | undefined;

/**
 * An axios adapter answering from `handler` (the HTTP boundary): what a request sends is
 * recorded in `seen`, and a non-2xx reply is thrown the way axios throws it.
 */
export function fakeServer(handler: Handler) {
  const seen: SeenRequest[] = [];
  const adapter = async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const headers = Object.fromEntries(Object.entries(AxiosHeaders.from(config.headers).toJSON()));
    const req: SeenRequest = {
      method: (config.method ?? 'get').toUpperCase(),
      url: config.url ?? '',
      data: typeof config.data === 'string' ? JSON.parse(config.data) : config.data,
      headers,
      withCredentials: config.withCredentials,
    };
    seen.push(req);
    const reply = handler(req) ?? { status: 404, data: { detail: `No encontrado: ${req.method} ${req.url}` } };
    const response = { status: reply.status, statusText: '', data: reply.data ?? '', headers: reply.headers ?? {}, config } as AxiosResponse;
    if (reply.status >= 200 && reply.status < 300) return response;
    throw new AxiosError(`Request failed with status code ${reply.status}`, 'ERR_BAD_REQUEST', config, {}, response);
  };
  return { adapter, seen };
}
