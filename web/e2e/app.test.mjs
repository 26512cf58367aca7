// End-to-end: the built SPA, served by the real binary over a real database, in Chromium.
//
// Run through scripts/e2e.sh (`make e2e`), which builds everything, starts a private
// PostgreSQL database and the service with a bootstrap admin (see e2e/support.mjs for the
// environment it sets).
//
// The whole walk as the bootstrap admin, who may do everything: the steps run in order and
// share state (one browser, one session); after a failure the rest are skipped. Every screen
// is saved as e2e/recorrido/NN-name.png, and a failing step as FAILED-name.png. The roles'
// own walks are in roles.test.mjs.

import assert from 'node:assert/strict';
import { ADMIN, BASE, DESKTOP, PHONE, RUN, apiAs, focused, nav as navOf, openBrowser, pageErrors, step } from './support.mjs';

const persona = { nombre: `Lucía Gómez ${RUN}`, edad: '41', email: `lucia.${RUN}@example.com` };
const titulo = `Cambio de turno ${RUN}`;

let page;
/** The API as the admin, in a session of its own (another device, for the browser). */
let api;
const state = {};

const screenshot = (name) => page.shot(name);
const nav = (name) => navOf(page, name);

async function readStats() {
  await page.getByTestId('total').waitFor();
  const num = async (loc) => Number((await loc.innerText()).replace(/\D/g, ''));
  return {
    total: await num(page.getByTestId('total')),
    aprobada: await num(page.locator('td[data-estado="aprobada"]')),
    alta: await num(page.locator('td[data-prioridad="alta"]')),
  };
}

step('el binario sirve la SPA; sin sesión lleva al login y, tras entrar, a la página pedida', async () => {
  page = await openBrowser('recorrido');
  api = await apiAs(ADMIN.email, ADMIN.password);
  await page.goto(`${BASE}/`);
  await page.waitForURL(`${BASE}/login`);
  assert.equal(await page.title(), 'Iniciar sesión · Solicitudes');
  // A client route loaded directly (reload, shared link) gets index.html too, and the login
  // remembers it.
  await page.goto(`${BASE}/personas/nueva`);
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/personas/nueva');
  await screenshot('login');
  await loginAs(ADMIN);
  await page.waitForURL(`${BASE}/personas/nueva`);
  await page.getByRole('heading', { level: 1, name: 'Nueva persona' }).waitFor();
  await page.goto(`${BASE}/`);
  await page.waitForURL(`${BASE}/solicitudes`);
  await page.getByRole('heading', { level: 1, name: 'Solicitudes' }).waitFor();
  assert.equal(await page.title(), 'Solicitudes · Solicitudes');
});

async function loginAs(who) {
  await page.getByLabel(/^Email( \*)?$/).fill(who.email);
  await page.getByLabel(/^Contraseña( \*)?$/).fill(who.password);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('usuario-actual').filter({ hasText: who.email }).waitFor();
}

step('el panel de estadísticas muestra los totales de partida', async () => {
  await nav('Estadísticas').click();
  await page.waitForURL('**/estadisticas');
  state.before = await readStats();
  assert.match(await focused(page), /^H1#titulo-estadisticas:Estadísticas/, 'the heading of the new page has the focus');
  await page.locator('.chart canvas').first().waitFor();
  await screenshot('estadisticas-antes');
});

step('crea una persona', async () => {
  await nav('Personas').click();
  await page.getByRole('link', { name: 'Nueva persona' }).click();
  await page.getByRole('heading', { level: 1, name: 'Nueva persona' }).waitFor();
  await page.getByLabel('Nombre').fill(persona.nombre);
  await page.getByLabel('Edad').fill(persona.edad);
  await page.getByLabel('Email').fill(persona.email);
  await page.getByRole('button', { name: 'Crear persona' }).click();
  await page.waitForURL(`${BASE}/personas`);
  await page.getByRole('status').filter({ hasText: `Persona «${persona.nombre}» creada.` }).waitFor();
  await page.getByLabel('Buscar por nombre o email').fill(RUN);
  await page.getByRole('button', { name: 'Buscar' }).click();
  await page.getByTestId('resumen').filter({ hasText: '1 persona · página 1' }).waitFor();
  await page.getByRole('link', { name: persona.nombre }).waitFor();
  await screenshot('personas');
});

step('un email repetido (409) se muestra junto al campo Email', async () => {
  await page.goto(`${BASE}/personas/nueva`);
  await page.getByLabel('Nombre').fill(`Otra ${RUN}`);
  await page.getByLabel('Edad').fill('30');
  await page.getByLabel('Email').fill(persona.email.toUpperCase());
  await page.getByRole('button', { name: 'Crear persona' }).click();
  const error = page.locator('#email-error');
  await error.waitFor();
  assert.match(await error.innerText(), /ya está registrado/);
  assert.equal(await page.getByLabel('Email').getAttribute('aria-invalid'), 'true');
  await screenshot('persona-email-repetido');
});

step('presenta una solicitud: primero ve el error de validación junto al campo', async () => {
  await nav('Nueva solicitud').click();
  await page.getByRole('heading', { level: 1, name: 'Nueva solicitud' }).waitFor();
  await page.getByLabel('Título').fill('ab');
  await page.getByLabel('Buscar persona por nombre o email').fill(RUN);
  const option = page.locator('#persona_id option', { hasText: persona.nombre });
  await option.waitFor({ state: 'attached' });
  await page.getByLabel('Persona que la presenta').selectOption({ label: `${persona.nombre} (${persona.email})` });
  await page.getByRole('button', { name: 'Crear solicitud' }).click();

  const error = page.locator('#titulo-error');
  await error.waitFor();
  assert.match(await error.innerText(), /al menos 3 caracteres/);
  const field = page.getByLabel('Título');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.match(await field.getAttribute('aria-describedby'), /titulo-error/);
  assert.match(await focused(page), /^INPUT#titulo/, 'the field in error has the focus');
  assert.equal(await page.locator('#persona_id-error').count(), 0);
  await screenshot('solicitud-error-validacion');

  await field.fill(titulo);
  await page.getByLabel('Descripción').fill(`Solicito pasar al turno de mañana (${RUN}).`);
  await page.getByLabel('Prioridad').selectOption('alta');
  await page.getByRole('button', { name: 'Crear solicitud' }).click();
  await page.waitForURL(/\/solicitudes\/[0-9a-f-]{36}$/);
  state.id = page.url().split('/').pop();
  await page.getByRole('heading', { level: 1, name: titulo }).waitFor();
  await page.getByRole('status').filter({ hasText: 'creada' }).waitFor();
  assert.equal(await page.locator('.facts .badge').innerText(), 'Pendiente');
  await screenshot('solicitud-creada');
});

step('la encuentra buscando en la lista', async () => {
  await nav('Solicitudes').click();
  await page.getByRole('heading', { level: 1, name: 'Solicitudes' }).waitFor();
  await page.getByLabel('Buscar en título o descripción').fill(RUN);
  await page.getByRole('button', { name: 'Buscar' }).click();
  await page.waitForURL(/[?&]q=/);
  await page.getByTestId('resumen').filter({ hasText: '1 solicitud · página 1' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: titulo });
  await row.waitFor();
  assert.match(await row.innerText(), /Pendiente/);
  assert.match(await row.innerText(), /Alta/);
  assert.match(await row.innerText(), new RegExp(persona.nombre));
  await screenshot('lista-busqueda');

  await page.setViewportSize(PHONE);
  await screenshot('lista-movil');
  await page.setViewportSize(DESKTOP);

  await row.getByRole('link', { name: titulo }).click();
  await page.waitForURL(`${BASE}/solicitudes/${state.id}`);
  await page.getByRole('heading', { level: 1, name: titulo }).waitFor();
});

step('edita con If-Match: un 412 ofrece cargar la versión actual', async () => {
  await page.getByRole('link', { name: 'Editar' }).click();
  await page.getByRole('heading', { level: 1, name: 'Editar solicitud' }).waitFor();
  await page.getByLabel('Título').fill(`${titulo} (mi edición)`);

  // Meanwhile someone else changes it (version 1 → 2).
  const other = await api('PATCH', `/solicitudes/${state.id}`, { descripcion: `Cambiada por otra persona ${RUN}` }, { 'If-Match': '"1"' });
  assert.equal(other.status, 200);
  assert.equal(other.headers.get('etag'), '"2"');

  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  const conflict = page.getByTestId('conflicto');
  await conflict.waitFor();
  assert.match(await conflict.innerText(), /no se han guardado/);
  await screenshot('edicion-conflicto-412');

  await conflict.getByRole('button', { name: 'Cargar la versión actual' }).click();
  await page.getByText('Se cargó la versión 2').waitFor();
  assert.equal(await page.getByLabel('Descripción').inputValue(), `Cambiada por otra persona ${RUN}`);
  assert.equal(await page.getByLabel('Título').inputValue(), titulo);
  state.titulo = `${titulo} (editada)`;
  await page.getByLabel('Título').fill(state.titulo);
  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  await page.waitForURL(`${BASE}/solicitudes/${state.id}`);
  await page.getByRole('heading', { level: 1, name: state.titulo }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Cambios guardados.' }).waitFor();
});

step('la lleva por la revisión hasta «aprobada» y ve el historial', async () => {
  const transitions = page.locator('.transitions button');
  assert.deepEqual(await transitions.allInnerTexts(), ['Pasar a revisión', 'Cancelar solicitud']);
  await page.getByRole('button', { name: 'Pasar a revisión' }).click();
  await page.getByRole('status').filter({ hasText: 'Estado cambiado a «En revisión».' }).waitFor();
  assert.equal(await page.locator('.facts .badge').innerText(), 'En revisión');
  assert.deepEqual(await transitions.allInnerTexts(), ['Aprobar', 'Rechazar', 'Devolver a pendiente', 'Cancelar solicitud']);

  // Rejecting asks for a comentario first (and sends nothing).
  await page.getByRole('button', { name: 'Rechazar' }).click();
  await page.locator('#comentario-error').waitFor();
  assert.match(await focused(page), /^TEXTAREA#comentario/);

  await page.getByLabel('Comentario').fill('Todo en orden, aprobada.');
  await page.getByRole('button', { name: 'Aprobar' }).click();
  await page.getByRole('status').filter({ hasText: 'Estado cambiado a «Aprobada».' }).waitFor();
  assert.equal(await page.locator('.facts .badge').innerText(), 'Aprobada');
  assert.equal(await transitions.count(), 0);
  await page.getByText('es un estado final').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Editar' }).count(), 0);

  const events = page.locator('.timeline li');
  await page.waitForFunction(() => document.querySelectorAll('.timeline li').length === 3);
  const texts = await events.allInnerTexts();
  assert.match(texts[0], /Creada como «Pendiente»/);
  assert.match(texts[1], /Pendiente → En revisión/);
  assert.match(texts[2], /En revisión → Aprobada/);
  assert.match(texts[2], /Todo en orden, aprobada\./);
  await screenshot('detalle-aprobada');

  // The server agrees.
  const res = await api('GET', `/solicitudes/${state.id}`);
  assert.equal(res.body.estado, 'aprobada');
  assert.equal(res.headers.get('etag'), `"${res.body.version}"`);
});

step('el panel de estadísticas refleja la solicitud aprobada', async () => {
  await nav('Estadísticas').click();
  await page.waitForURL('**/estadisticas');
  const now = await readStats();
  assert.equal(now.total, state.before.total + 1);
  assert.equal(now.aprobada, state.before.aprobada + 1);
  assert.equal(now.alta, state.before.alta + 1);
  await screenshot('estadisticas-despues');
});

step('la ficha de la persona: edita su edad; no se elimina mientras tenga solicitudes', async () => {
  await page.goto(`${BASE}/solicitudes/${state.id}`);
  await page.getByRole('link', { name: persona.nombre }).click();
  await page.getByRole('heading', { level: 1, name: persona.nombre }).waitFor();
  assert.equal(await page.getByLabel('Email').inputValue(), persona.email);
  await page.getByLabel('Edad').fill('42');
  await page.getByRole('button', { name: 'Guardar cambios' }).click();
  await page.getByRole('status').filter({ hasText: 'Cambios guardados.' }).waitFor();

  await page.getByRole('button', { name: 'Eliminar persona' }).click();
  await page.getByRole('button', { name: 'Sí, eliminar' }).click();
  const error = page.locator('.panel .error-box');
  await error.waitFor();
  assert.match(await error.innerText(), /solicitud/i);
  await screenshot('persona-ficha');

  const res = await api('GET', `/personas/${page.url().split('/').pop()}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.edad, 42);
});

step('pagina con Siguiente y Anterior (cursores) y filtra por persona', async () => {
  const p = await api('POST', '/personas', { nombre: `Paginación ${RUN}`, edad: 50 });
  assert.equal(p.status, 201);
  for (let i = 1; i <= 23; i += 1) {
    const s = await api('POST', '/solicitudes', { titulo: `Página ${RUN} nº ${i}`, persona_id: p.body.id, prioridad: i % 2 ? 'baja' : 'urgente' });
    assert.equal(s.status, 201);
  }
  await page.goto(`${BASE}/solicitudes?persona_id=${p.body.id}`);
  await page.getByTestId('resumen').filter({ hasText: '23 solicitudes · página 1' }).waitFor();
  const rows = page.locator('table tbody tr');
  assert.equal(await rows.count(), 20);
  assert.match(await rows.first().innerText(), new RegExp(`nº 23\\b`)); // newest first
  const pager = page.getByRole('navigation', { name: 'Páginas de solicitudes' });
  assert.equal(await pager.getByRole('button', { name: /Anterior/ }).isDisabled(), true);

  await pager.getByRole('button', { name: /Siguiente/ }).click();
  await page.getByTestId('resumen').filter({ hasText: 'página 2' }).waitFor();
  assert.equal(await rows.count(), 3);
  assert.equal(await pager.getByRole('button', { name: /Siguiente/ }).isDisabled(), true);
  await screenshot('lista-pagina-2');

  await pager.getByRole('button', { name: /Anterior/ }).click();
  await page.getByTestId('resumen').filter({ hasText: 'página 1' }).waitFor();
  assert.equal(await rows.count(), 20);

  // Multi-select prioridad narrows the same list (and starts again at page 1).
  await page.getByRole('group', { name: 'Prioridad' }).getByLabel('Urgente').check();
  await page.getByTestId('resumen').filter({ hasText: '11 solicitudes · página 1' }).waitFor();
  assert.match(page.url(), /prioridad=urgente/);
});

step('sin errores de JavaScript en la página', () => {
  assert.deepEqual(pageErrors, []);
});
