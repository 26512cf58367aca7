// Screens that change with the rol: filing a solicitud, the review queue, the dashboard.
import { enableAutoUnmount, flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as api from '../src/api';
import { setUsuario } from '../src/lib/session';
import EstadisticasView from '../src/views/EstadisticasView.vue';
import PersonaEdit from '../src/views/PersonaEdit.vue';
import RevisionQueue from '../src/views/RevisionQueue.vue';
import SolicitudesList from '../src/views/SolicitudesList.vue';
import SolicitudNew from '../src/views/SolicitudNew.vue';
import { persona, routerAt, solicitud, usuarioDe } from './helpers';

vi.mock('../src/api', () => ({
  createSolicitud: vi.fn(),
  listSolicitudes: vi.fn(),
  listPersonas: vi.fn(),
  getPersona: vi.fn(),
  getEstadisticas: vi.fn(),
  updatePersona: vi.fn(),
  deletePersona: vi.fn(),
  getMe: vi.fn(),
}));
// chart.js needs a canvas, which happy-dom has not; the numbers are in the tables anyway.
vi.mock('vue-chartjs', () => ({ Bar: { name: 'Bar', props: ['data', 'options'], template: '<canvas />' } }));

const m = vi.mocked(api);
enableAutoUnmount(afterEach);

beforeEach(() => {
  vi.resetAllMocks();
  m.listPersonas.mockResolvedValue({ items: [persona()], next_cursor: null, total: 1 });
  m.getPersona.mockResolvedValue(persona());
});

async function mountAt(component: unknown, path: string, props: Record<string, unknown> = {}) {
  const router = await routerAt(path);
  const w = mount(component as never, { props: props as never, global: { plugins: [router] }, attachTo: document.body });
  await flushPromises();
  return { w: w as VueWrapper, router };
}

describe('filing a solicitud', () => {
  it('a solicitante files for themself: no persona picker, no persona_id sent', async () => {
    setUsuario(usuarioDe('solicitante'));
    m.createSolicitud.mockResolvedValueOnce({ data: solicitud(), etag: '"1"' });
    const { w, router } = await mountAt(SolicitudNew, `/solicitudes/nueva?persona_id=${'0193a3f4-1c2b-7d3e-8f40-0000000000aa'}`);
    expect(w.find('#persona_id').exists()).toBe(false);
    expect(w.text()).toContain('La presentas en tu nombre.');
    await w.get('#titulo').setValue('Cambio de turno');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.createSolicitud).toHaveBeenCalledWith({ titulo: 'Cambio de turno', descripcion: '', prioridad: 'media' });
    expect(router.currentRoute.value.path).toBe(`/solicitudes/${solicitud().id}`);
  });

  it('an admin chooses the persona', async () => {
    setUsuario(usuarioDe('admin'));
    m.createSolicitud.mockResolvedValueOnce({ data: solicitud(), etag: '"1"' });
    const { w } = await mountAt(SolicitudNew, `/solicitudes/nueva?persona_id=${persona().id}`);
    expect(w.find('#persona_id').exists()).toBe(true);
    await w.get('#titulo').setValue('Cambio de turno');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.createSolicitud).toHaveBeenCalledWith({ titulo: 'Cambio de turno', descripcion: '', prioridad: 'media', persona_id: persona().id });
  });
});

describe('the solicitudes list by rol', () => {
  it('a solicitante sees «Mis solicitudes», without the persona filter or column', async () => {
    setUsuario(usuarioDe('solicitante'));
    m.listSolicitudes.mockResolvedValueOnce({ items: [solicitud()], next_cursor: null, total: 1 });
    const { w } = await mountAt(SolicitudesList, '/solicitudes');
    expect(w.get('h1').text()).toBe('Mis solicitudes');
    expect(w.text()).toContain('Solo ves las solicitudes que has presentado tú.');
    expect(w.find('#filtro-persona').exists()).toBe(false);
    expect(w.findAll('th').map((t) => t.text())).not.toContain('Persona');
    expect(m.getPersona).not.toHaveBeenCalled();
  });

  it('a revisor without a persona cannot file, so no «Nueva solicitud»', async () => {
    setUsuario(usuarioDe('revisor', { persona_id: null }));
    m.listSolicitudes.mockResolvedValueOnce({ items: [], next_cursor: null, total: 0 });
    const { w } = await mountAt(SolicitudesList, '/solicitudes');
    expect(w.get('h1').text()).toBe('Solicitudes');
    expect(w.findAll('a').some((a) => a.text() === 'Nueva solicitud')).toBe(false);
    expect(w.find('#filtro-persona').exists()).toBe(true);
  });
});

describe('the review queue', () => {
  it('asks for pendiente and en_revision, oldest first, and leaves out the revisor’s own', async () => {
    const revisor = usuarioDe('revisor');
    setUsuario(revisor);
    m.listSolicitudes.mockResolvedValue({
      items: [
        solicitud({ id: 'a', titulo: 'De otra persona', estado: 'pendiente' }),
        solicitud({ id: 'b', titulo: 'La mía', persona_id: revisor.persona_id, estado: 'en_revision' }),
      ],
      next_cursor: null,
      total: 2,
    });
    const { w } = await mountAt(RevisionQueue, '/revision');
    expect(m.listSolicitudes).toHaveBeenLastCalledWith(
      { estado: ['pendiente', 'en_revision'], q: undefined, sort: 'created_at', limit: 20, count: true, cursor: undefined },
      expect.anything(),
    );
    const rows = w.findAll('[data-testid="cola"] tbody tr').map((r) => r.text());
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('De otra persona');

    await w.get('#cola-orden').setValue('-prioridad');
    await flushPromises();
    expect(m.listSolicitudes).toHaveBeenLastCalledWith(expect.objectContaining({ sort: '-prioridad' }), expect.anything());

    await w.get('#cola-q').setValue('  turno ');
    await w.get('form').trigger('submit');
    await flushPromises();
    expect(m.listSolicitudes).toHaveBeenLastCalledWith(expect.objectContaining({ q: 'turno', sort: '-prioridad' }), expect.anything());
  });
});

describe('the dashboard by rol', () => {
  const stats = {
    total: 12345,
    por_estado: { pendiente: 12000, en_revision: 300, aprobada: 40, rechazada: 5, cancelada: 0 },
    por_prioridad: { baja: 1, media: 2, alta: 3, urgente: 12339 },
  };

  it('a solicitante sees their own numbers, labelled so, written the Spanish way', async () => {
    setUsuario(usuarioDe('solicitante'));
    m.getEstadisticas.mockResolvedValueOnce(stats);
    const { w } = await mountAt(EstadisticasView, '/estadisticas');
    expect(w.get('h1').text()).toBe('Mis estadísticas');
    expect(w.get('[data-testid="alcance"]').text()).toBe('Solo cuentan tus solicitudes.');
    expect(w.get('[data-testid="total"]').text()).toBe('12.345');
    expect(w.text()).toContain('solicitudes tuyas en total');
    expect(w.get('td[data-estado="pendiente"]').text()).toBe('12.000');
    expect(w.get('.chart').attributes('aria-label')).toContain('Pendiente 12.000');
  });

  it('a revisor sees everyone’s', async () => {
    setUsuario(usuarioDe('revisor'));
    m.getEstadisticas.mockResolvedValueOnce(stats);
    const { w } = await mountAt(EstadisticasView, '/estadisticas');
    expect(w.get('h1').text()).toBe('Estadísticas');
    expect(w.get('[data-testid="alcance"]').text()).toBe('Todas las solicitudes, de todas las personas.');
  });
});

describe('a persona by rol', () => {
  it('a revisor reads another persona, without the form or «Eliminar»', async () => {
    setUsuario(usuarioDe('revisor'));
    const { w } = await mountAt(PersonaEdit, `/personas/${persona().id}`, { id: persona().id });
    expect(w.find('form').exists()).toBe(false);
    expect(w.text()).toContain('Ana Pérez');
    expect(w.findAll('button').some((b) => b.text() === 'Eliminar persona')).toBe(false);
    expect(w.findAll('a').some((a) => a.text() === 'Ver sus solicitudes')).toBe(true);
  });

  it('a solicitante edits her own persona, and cannot delete it', async () => {
    setUsuario(usuarioDe('solicitante'));
    const { w } = await mountAt(PersonaEdit, `/personas/${persona().id}`, { id: persona().id });
    expect(w.find('form #nombre').exists()).toBe(true);
    expect(w.findAll('button').some((b) => b.text() === 'Eliminar persona')).toBe(false);
    expect(w.findAll('a').some((a) => a.text() === 'Ver mis solicitudes')).toBe(true);
  });
});
