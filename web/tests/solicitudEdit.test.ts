import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import SolicitudEdit from '../src/views/SolicitudEdit.vue';
import { httpError, routerAt, solicitud } from './helpers';

vi.mock('../src/api', () => ({
  getSolicitud: vi.fn(),
  updateSolicitud: vi.fn(),
  listPersonas: vi.fn(async () => ({ items: [], next_cursor: null, total: 0 })),
  getPersona: vi.fn(),
}));

const getSolicitud = vi.mocked(api.getSolicitud);
const updateSolicitud = vi.mocked(api.updateSolicitud);
const ID = solicitud().id;

enableAutoUnmount(afterEach);

beforeEach(() => {
  vi.resetAllMocks();
});

async function mountEdit() {
  const router = await routerAt(`/solicitudes/${ID}/editar`);
  const w = mount(SolicitudEdit, { props: { id: ID }, global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

describe('editing a solicitud (PATCH with If-Match)', () => {
  it('sends the ETag it read and goes to the detail', async () => {
    getSolicitud.mockResolvedValueOnce({ data: solicitud({ version: 3 }), etag: '"3"' });
    updateSolicitud.mockResolvedValueOnce({ data: solicitud({ version: 4, titulo: 'Nuevo' }), etag: '"4"' });
    const { w, router } = await mountEdit();
    await w.get('#titulo').setValue('Nuevo');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(updateSolicitud).toHaveBeenCalledWith(ID, { titulo: 'Nuevo', descripcion: 'Turno de mañana', prioridad: 'media' }, '"3"');
    expect(router.currentRoute.value.path).toBe(`/solicitudes/${ID}`);
  });

  it('on a 412 offers to load the fresh version, then saves against it', async () => {
    getSolicitud
      .mockResolvedValueOnce({ data: solicitud({ version: 1 }), etag: '"1"' })
      .mockResolvedValueOnce({ data: solicitud({ version: 2, titulo: 'Título de otra persona', prioridad: 'alta' }), etag: '"2"' });
    updateSolicitud.mockRejectedValueOnce(
      httpError(412, { detail: 'La solicitud … está en la versión 2: If-Match no coincide; vuelve a leerla' }),
    );
    const { w, router } = await mountEdit();

    await w.get('#titulo').setValue('Mi título');
    await w.get('form').trigger('submit');
    await flushPromises();

    const box = w.get('[data-testid="conflicto"]');
    expect(box.attributes('role')).toBe('alert');
    expect(box.text()).toContain('no se han guardado');
    expect(router.currentRoute.value.path).toBe(`/solicitudes/${ID}/editar`); // stayed
    expect(document.activeElement?.textContent).toBe('Cargar la versión actual');

    const reload = box.findAll('button').find((b) => b.text() === 'Cargar la versión actual');
    expect(reload).toBeTruthy();
    await reload!.trigger('click');
    await flushPromises();

    expect(getSolicitud).toHaveBeenCalledTimes(2);
    expect(w.find('[data-testid="conflicto"]').exists()).toBe(false);
    expect((w.get('#titulo').element as HTMLInputElement).value).toBe('Título de otra persona');
    expect((w.get('#prioridad').element as HTMLSelectElement).value).toBe('alta');
    expect(w.text()).toContain('Se cargó la versión 2');
    expect(w.text()).toContain('Mi título'); // the discarded edit stays visible

    updateSolicitud.mockResolvedValueOnce({ data: solicitud({ version: 3 }), etag: '"3"' });
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(updateSolicitud).toHaveBeenLastCalledWith(ID, expect.objectContaining({ titulo: 'Título de otra persona' }), '"2"');
  });

  it('shows 422 entries beside their fields and the rest in the error box', async () => {
    getSolicitud.mockResolvedValueOnce({ data: solicitud(), etag: '"1"' });
    updateSolicitud.mockRejectedValueOnce(
      httpError(422, {
        detail: [
          { loc: ['body', 'titulo'], msg: 'Debe tener al menos 3 caracteres', type: 'string_too_short' },
          { loc: ['header', 'if-match'], msg: 'If-Match mal formado', type: 'value_error' },
        ],
      }),
    );
    const { w } = await mountEdit();
    await w.get('#titulo').setValue('ab');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(w.get('#titulo-error').text()).toBe('Debe tener al menos 3 caracteres');
    expect(w.get('.error-box').text()).toContain('cabecera «if-match»: If-Match mal formado');
  });

  it('503 while loading: says so and retries', async () => {
    getSolicitud.mockRejectedValueOnce(httpError(503, { detail: 'x' })).mockResolvedValueOnce({ data: solicitud(), etag: '"1"' });
    const { w } = await mountEdit();
    expect(w.get('.error-box').text()).toContain('El servicio no está disponible, reintenta.');
    await w.get('.error-box button').trigger('click');
    await flushPromises();
    expect(w.find('.error-box').exists()).toBe(false);
    expect((w.get('#titulo').element as HTMLInputElement).value).toBe('Cambio de turno');
  });
});
