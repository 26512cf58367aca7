import { enableAutoUnmount, flushPromises, mount } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import SolicitudesList from '../src/views/SolicitudesList.vue';
import { httpError, persona, routerAt, solicitud } from './helpers';

vi.mock('../src/api', () => ({
  listSolicitudes: vi.fn(),
  listPersonas: vi.fn(),
  getPersona: vi.fn(),
}));

const m = vi.mocked(api);
enableAutoUnmount(afterEach);

beforeEach(() => {
  vi.resetAllMocks();
  m.listPersonas.mockResolvedValue({ items: [persona()], next_cursor: null, total: 1 });
  m.getPersona.mockResolvedValue(persona());
});

const page = (n: number, next: string | null, total = 45) => ({
  items: Array.from({ length: next ? 20 : 5 }, (_, i) => solicitud({ id: `id-${n}-${i}`, titulo: `S ${n}.${i}` })),
  next_cursor: next,
  total,
});

async function mountList(path = '/solicitudes') {
  const router = await routerAt(path);
  const w = mount(SolicitudesList, { global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { w, router };
}

const buttonNamed = (w: ReturnType<typeof mount>, text: RegExp) => w.findAll('button').find((b) => text.test(b.text()))!;

describe('solicitudes list', () => {
  it('sends the filters from the URL, with count, and shows the total', async () => {
    m.listSolicitudes.mockResolvedValueOnce(page(1, null, 5));
    const { w } = await mountList('/solicitudes?estado=pendiente&estado=en_revision&prioridad=alta&q=turno&sort=-prioridad');
    expect(m.listSolicitudes).toHaveBeenCalledWith(
      {
        estado: ['pendiente', 'en_revision'],
        prioridad: ['alta'],
        persona_id: undefined,
        q: 'turno',
        sort: '-prioridad',
        limit: 20,
        count: true,
        cursor: undefined,
      },
      expect.anything(),
    );
    expect(w.get('[data-testid="resumen"]').text()).toBe('(5 solicitudes · página 1)');
    expect((w.get('#filtro-q').element as HTMLInputElement).value).toBe('turno');
  });

  it('Siguiente / Anterior walk the cursors', async () => {
    m.listSolicitudes
      .mockResolvedValueOnce(page(1, 'c2'))
      .mockResolvedValueOnce(page(2, 'c3'))
      .mockResolvedValueOnce(page(3, null))
      .mockResolvedValueOnce(page(2, 'c3'));
    const { w } = await mountList();
    const cursors = () => m.listSolicitudes.mock.calls.map((c) => c[0].cursor ?? null);
    expect(buttonNamed(w, /Anterior/).attributes('disabled')).toBeDefined();

    await buttonNamed(w, /Siguiente/).trigger('click');
    await flushPromises();
    await buttonNamed(w, /Siguiente/).trigger('click');
    await flushPromises();
    expect(w.get('[data-testid="resumen"]').text()).toContain('página 3');
    expect(w.findAll('tbody tr')).toHaveLength(5);
    expect(buttonNamed(w, /Siguiente/).attributes('disabled')).toBeDefined();

    await buttonNamed(w, /Anterior/).trigger('click');
    await flushPromises();
    expect(cursors()).toEqual([null, 'c2', 'c3', 'c2']);
    expect(w.get('[data-testid="resumen"]').text()).toContain('página 2');
    expect(document.activeElement?.classList.contains('results-heading')).toBe(true);
  });

  it('a filter change starts again from the first page', async () => {
    m.listSolicitudes.mockResolvedValueOnce(page(1, 'c2')).mockResolvedValueOnce(page(2, null)).mockResolvedValueOnce(page(1, null, 3));
    const { w, router } = await mountList();
    await buttonNamed(w, /Siguiente/).trigger('click');
    await flushPromises();
    await w.get('input[type="checkbox"][value="urgente"]').setValue(true);
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({ prioridad: ['urgente'] });
    const last = m.listSolicitudes.mock.calls.at(-1)![0];
    expect(last.cursor).toBeUndefined();
    expect(last.prioridad).toEqual(['urgente']);
    expect(w.get('[data-testid="resumen"]').text()).toBe('(3 solicitudes · página 1)');
  });

  it('503: says the service is unavailable and retries', async () => {
    m.listSolicitudes.mockRejectedValueOnce(httpError(503, { detail: 'x' })).mockResolvedValueOnce(page(1, null, 5));
    const { w } = await mountList();
    expect(w.get('.error-box').text()).toContain('El servicio no está disponible, reintenta.');
    await buttonNamed(w, /Reintentar/).trigger('click');
    await flushPromises();
    expect(w.find('.error-box').exists()).toBe(false);
    expect(w.findAll('tbody tr')).toHaveLength(5);
  });
});
