import { describe, expect, it } from 'vitest';
import type { Estado } from '../src/api/types';
import {
  inicio,
  puedeCrearSolicitud,
  puedeEditarPersona,
  puedeEditarSolicitud,
  puedeEliminarSolicitud,
  puedeTransicionar,
} from '../src/lib/access';
import { barOptions, tickLabel } from '../src/lib/chartOptions';
import { espera, parseRetryAfter, toApiError } from '../src/api/errors';
import { httpError, usuarioDe } from './helpers';

const sol = usuarioDe('solicitante');
const rev = usuarioDe('revisor');
const adm = usuarioDe('admin');
const suya = { persona_id: sol.persona_id as string, estado: 'pendiente' as Estado };
const delRevisor = { persona_id: rev.persona_id as string, estado: 'en_revision' as Estado };
const REVISION: Estado[] = ['en_revision', 'aprobada', 'rechazada', 'pendiente'];

describe('who may do what (shared/API.md)', () => {
  it('transitions: the owner withdraws, a revisor reviews others’, an admin everything', () => {
    expect(puedeTransicionar(sol, suya, 'cancelada')).toBe(true);
    for (const d of REVISION) expect(puedeTransicionar(sol, suya, d)).toBe(false);

    expect(puedeTransicionar(rev, suya, 'cancelada')).toBe(false);
    for (const d of REVISION) expect(puedeTransicionar(rev, suya, d)).toBe(true);
    expect(puedeTransicionar(rev, delRevisor, 'cancelada')).toBe(true);
    for (const d of REVISION) expect(puedeTransicionar(rev, delRevisor, d)).toBe(false);

    for (const d of [...REVISION, 'cancelada' as Estado]) expect(puedeTransicionar(adm, suya, d)).toBe(true);
    expect(puedeTransicionar(null, suya, 'cancelada')).toBe(false);
  });

  it('a usuario without a persona owns nothing, even a solicitud without one', () => {
    const sinPersona = usuarioDe('revisor', { persona_id: null });
    expect(puedeTransicionar(sinPersona, { persona_id: '' }, 'cancelada')).toBe(false);
    expect(puedeCrearSolicitud(sinPersona)).toBe(false);
  });

  it('editing: own (or admin) while not final; deleting: admin only', () => {
    expect(puedeEditarSolicitud(sol, suya)).toBe(true);
    expect(puedeEditarSolicitud(sol, { ...suya, estado: 'aprobada' })).toBe(false);
    expect(puedeEditarSolicitud(rev, suya)).toBe(false);
    expect(puedeEditarSolicitud(adm, suya)).toBe(true);
    expect([sol, rev, adm].map(puedeEliminarSolicitud)).toEqual([false, false, true]);
    expect(puedeEditarPersona(sol, sol.persona_id as string)).toBe(true);
    expect(puedeEditarPersona(rev, sol.persona_id as string)).toBe(false);
  });

  it('start pages', () => {
    expect([sol, rev, adm].map(inicio)).toEqual(['/solicitudes', '/revision', '/solicitudes']);
  });
});

describe('errors of identity and access', () => {
  it('403: said plainly, with the API’s reason', () => {
    const e = toApiError(httpError(403, { detail: 'Solo un revisor puede aprobar' }));
    expect(e.message).toBe('No tienes permiso para hacer esto.');
    expect(e.general).toEqual(['Solo un revisor puede aprobar']);
  });

  it('429: how long to wait, from Retry-After', () => {
    const e = toApiError(httpError(429, { detail: 'Demasiados intentos' }, { 'retry-after': '30' }));
    expect(e.retryAfter).toBe(30);
    expect(e.message).toBe('Demasiados intentos. Espera 30 segundos antes de volver a intentarlo.');
    expect(toApiError(httpError(429, { detail: 'x' })).message).toBe('Demasiados intentos. Espera un poco antes de volver a intentarlo.');
  });

  it('Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('nunca', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect([1, 45, 60, 61, 900].map(espera)).toEqual(['1 segundo', '45 segundos', '1 minuto', '2 minutos', '15 minutos']);
  });

  it('401: the session is over', () => {
    expect(toApiError(httpError(401, { detail: 'Not authenticated' })).message).toBe('Tu sesión ha terminado. Vuelve a iniciar sesión.');
  });
});

describe('charts in Spanish', () => {
  it('axis ticks and tooltips use es-ES', () => {
    expect(tickLabel(12345)).toBe('12.345');
    expect(tickLabel(1500000)).toBe('1.500.000');
    expect(tickLabel('Pendiente')).toBe('Pendiente');
    const o = barOptions();
    expect(o.locale).toBe('es-ES');
    const label = o.plugins?.tooltip?.callbacks?.label as (item: unknown) => string;
    expect(label({ dataset: { label: 'Solicitudes' }, parsed: { y: 20000 } })).toBe('Solicitudes: 20.000');
  });
});
