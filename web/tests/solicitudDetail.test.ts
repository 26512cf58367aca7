import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import { setUsuario } from '../src/lib/session';
import SolicitudDetail from '../src/views/SolicitudDetail.vue';
import { httpError, persona, routerAt, solicitud, usuarioDe } from './helpers';

vi.mock('../src/api', () => ({
  getSolicitud: vi.fn(),
  getMe: vi.fn(),
  getHistorial: vi.fn(),
  getPersona: vi.fn(),
  transicionar: vi.fn(),
  deleteSolicitud: vi.fn(),
}));

const m = vi.mocked(api);
const ID = solicitud().id;
const creado = { estado_anterior: null, estado_nuevo: 'pendiente' as const, comentario: null, created_at: '2026-11-22T10:15:30.123456Z' };

enableAutoUnmount(afterEach);

beforeEach(() => {
  vi.resetAllMocks();
  setUsuario(usuarioDe('admin'));
  m.getPersona.mockResolvedValue(persona());
  m.getHistorial.mockResolvedValue([creado]);
});

async function mountDetail() {
  const router = await routerAt(`/solicitudes/${ID}`);
  const w = mount(SolicitudDetail, { props: { id: ID }, global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return w;
}

const buttons = (w: VueWrapper) => w.findAll('.transitions button').map((b) => b.text());
const button = (w: VueWrapper, text: string) => w.findAll('.transitions button').find((b) => b.text() === text)!;

describe('solicitud detail: transitions (admin: every one the workflow allows)', () => {
  it('offers exactly the allowed next estados', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision' }), etag: '"2"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual(['Aprobar', 'Rechazar', 'Devolver a pendiente', 'Cancelar solicitud']);
    expect(w.text()).toContain('Ana Pérez');
    expect(w.get('.timeline').text()).toContain('Creada como «Pendiente»');
  });

  it('offers nothing for a final estado, and no edit link', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'aprobada' }), etag: '"3"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual([]);
    expect(w.text()).toContain('es un estado final');
    expect(w.findAll('a').some((a) => a.text() === 'Editar')).toBe(false);
  });

  it('moves with If-Match, then shows the new estado and historial', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud(), etag: '"1"' });
    m.transicionar.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision', version: 2 }), etag: '"2"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual(['Pasar a revisión', 'Cancelar solicitud']);
    m.getHistorial.mockResolvedValueOnce([creado, { ...creado, estado_anterior: 'pendiente', estado_nuevo: 'en_revision' }]);
    await button(w, 'Pasar a revisión').trigger('click');
    await flushPromises();
    expect(m.transicionar).toHaveBeenCalledWith(ID, { estado: 'en_revision', comentario: null }, '"1"');
    expect(w.get('.badge').text()).toBe('En revisión');
    expect(buttons(w)).toEqual(['Aprobar', 'Rechazar', 'Devolver a pendiente', 'Cancelar solicitud']);
    expect(w.get('.timeline').text()).toContain('Pendiente → En revisión');
    expect(w.get('.notice').text()).toContain('En revisión');
    expect(document.activeElement?.id).toBe('titulo-estado');
  });

  it('asks for a comentario before rejecting', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision', version: 2 }), etag: '"2"' });
    m.transicionar.mockResolvedValueOnce({ data: solicitud({ estado: 'rechazada', version: 3 }), etag: '"3"' });
    const w = await mountDetail();
    await button(w, 'Rechazar').trigger('click');
    await flushPromises();
    expect(m.transicionar).not.toHaveBeenCalled();
    expect(w.get('#comentario-error').text()).toContain('Escribe un comentario');
    expect(w.get('#comentario').attributes('aria-invalid')).toBe('true');
    expect(document.activeElement?.id).toBe('comentario');

    await w.get('#comentario').setValue('  Falta la firma  ');
    await button(w, 'Rechazar').trigger('click');
    await flushPromises();
    expect(m.transicionar).toHaveBeenCalledWith(ID, { estado: 'rechazada', comentario: 'Falta la firma' }, '"2"');
    expect(buttons(w)).toEqual([]);
  });

  it("on a 409 uses the server's permitidos", async () => {
    m.getSolicitud
      .mockResolvedValueOnce({ data: solicitud({ estado: 'pendiente' }), etag: '"1"' })
      .mockResolvedValueOnce({ data: solicitud({ estado: 'cancelada', version: 2 }), etag: '"2"' });
    m.transicionar.mockRejectedValueOnce(
      httpError(409, { detail: 'No se puede pasar de «cancelada» a «en_revision»', permitidos: [] }),
    );
    const w = await mountDetail();
    await button(w, 'Pasar a revisión').trigger('click');
    await flushPromises();
    expect(w.get('.error-box').text()).toContain('No se puede pasar de «cancelada» a «en_revision»');
    expect(buttons(w)).toEqual([]);
    expect(w.get('.badge').text()).toBe('Cancelada'); // refreshed
  });

  it('on a 412 offers to reload', async () => {
    m.getSolicitud
      .mockResolvedValueOnce({ data: solicitud(), etag: '"1"' })
      .mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision', version: 2 }), etag: '"2"' });
    m.transicionar.mockRejectedValueOnce(httpError(412, { detail: 'versión 2' }));
    const w = await mountDetail();
    await button(w, 'Cancelar solicitud').trigger('click');
    await flushPromises();
    const box = w.get('.warning-box');
    expect(box.text()).toContain('Alguien ha cambiado esta solicitud');
    expect(document.activeElement?.textContent).toBe('Cargar la versión actual');
    await box.get('button').trigger('click');
    await flushPromises();
    expect(w.find('.warning-box').exists()).toBe(false);
    expect(w.get('.badge').text()).toBe('En revisión');
    expect(w.text()).toContain('Se cargó la versión actual.');
  });

  it('a comentario refused by the API (422) goes beside the comentario', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision' }), etag: '"2"' });
    m.transicionar.mockRejectedValueOnce(
      httpError(422, { detail: [{ loc: ['body', 'comentario'], msg: 'Debe tener como máximo 2000 caracteres', type: 'string_too_long' }] }),
    );
    const w = await mountDetail();
    await w.get('#comentario').setValue('x');
    await button(w, 'Aprobar').trigger('click');
    await flushPromises();
    expect(w.get('#comentario-error').text()).toBe('Debe tener como máximo 2000 caracteres');
  });
});

describe('solicitud detail: what each role may do', () => {
  const otra = '0193a3f4-1c2b-7d3e-8f40-0000000000aa';

  it('a revisor reviews the solicitudes of others, but cannot cancel, edit or delete them', async () => {
    setUsuario(usuarioDe('revisor'));
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision', persona_id: otra }), etag: '"2"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual(['Aprobar', 'Rechazar', 'Devolver a pendiente']);
    expect(w.findAll('a').some((a) => a.text() === 'Editar')).toBe(false);
    expect(w.findAll('button').some((b) => b.text() === 'Eliminar')).toBe(false);
    expect(w.get('[data-testid="sin-permiso"]').text()).toContain('No puedes cambiar el estado');
  });

  it('a revisor may only cancel their own solicitud (separation of duties), and edit it', async () => {
    const revisor = usuarioDe('revisor');
    setUsuario(revisor);
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'pendiente', persona_id: revisor.persona_id }), etag: '"1"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual(['Cancelar solicitud']);
    expect(w.get('[data-testid="sin-permiso"]').text()).toBe('Es tu propia solicitud: puedes cancelarla, pero la revisa otra persona.');
    expect(w.findAll('a').some((a) => a.text() === 'Editar')).toBe(true);
  });

  it('a solicitante may edit and cancel their own, nothing else', async () => {
    setUsuario(usuarioDe('solicitante'));
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision' }), etag: '"2"' });
    const w = await mountDetail();
    expect(buttons(w)).toEqual(['Cancelar solicitud']);
    expect(w.findAll('a').some((a) => a.text() === 'Editar')).toBe(true);
    expect(w.findAll('button').some((b) => b.text() === 'Eliminar')).toBe(false);
    expect(w.get('[data-testid="sin-permiso"]').text()).toContain('Una persona revisora decidirá');
  });

  it('a 403 that still happens says so plainly, with the reason', async () => {
    setUsuario(usuarioDe('revisor'));
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'pendiente', persona_id: otra }), etag: '"1"' });
    m.transicionar.mockRejectedValueOnce(httpError(403, { detail: 'Tu rol ya no permite revisar solicitudes' }));
    const w = await mountDetail();
    await button(w, 'Pasar a revisión').trigger('click');
    await flushPromises();
    const box = w.get('.error-box');
    expect(box.attributes('role')).toBe('alert');
    expect(box.text()).toContain('No tienes permiso para hacer esto.');
    expect(box.text()).toContain('Tu rol ya no permite revisar solicitudes');
  });

  it('the historial says who made each change, or «—» for events without an actor', async () => {
    m.getSolicitud.mockResolvedValueOnce({ data: solicitud({ estado: 'en_revision' }), etag: '"2"' });
    m.getHistorial.mockResolvedValueOnce([
      { ...creado, actor: null },
      { ...creado, estado_anterior: 'pendiente', estado_nuevo: 'en_revision', actor: { id: 'u1', email: 'rita@example.com' } },
    ]);
    const w = await mountDetail();
    expect(w.findAll('[data-testid="actor"]').map((a) => a.text())).toEqual(['Por: —', 'Por: rita@example.com']);
  });
});
