import { AxiosError, AxiosHeaders, type AxiosResponse } from 'axios';
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
