// End-to-end: the three roles, each in their own browser (own cookies), against the real
// binary and database. Run through scripts/e2e.sh (`make e2e`); see e2e/support.mjs.
//
// The bootstrap admin prepares personas and accounts through the API; then
//   - a solicitante logs in, files a solicitud for herself and cannot see another persona's;
//   - a revisor reviews it and rejects it with a comentario, and cannot act on their own;
//   - the admin creates a revisor account that logs in at once, deactivates it, and its open
//     session is refused;
//   - closing another session and logging out end those sessions at the server.
// Screens are saved per role as e2e/<rol>/NN-name.png; a failing step as FAILED-name.png.

import assert from 'node:assert/strict';
import {
  ADMIN,
  BASE,
  COOKIE,
  RUN,
  apiAs,
  driving,
  loginUi,
  nav,
  navNames,
  openBrowser,
  pageErrors,
  sessionCookie,
  step,
  withCookie,
} from './support.mjs';

const SOL = { email: `sara.${RUN}@example.com`, password: `clave-de-sara-${RUN}` };
const REV = { email: `raul.${RUN}@example.com`, password: `clave-de-raul-${RUN}` };
const NUEVO = { email: `nuria.${RUN}@example.com`, password: `clave-de-nuria-${RUN}` };
const TITULO = `Permiso por mudanza ${RUN}`;
const AJENA = `Ajena ${RUN}`;
const PROPIA_REV = `Propia del revisor ${RUN}`;
const COMENTARIO = `Falta el justificante (${RUN}).`;

/** The API as the bootstrap admin, in its own session. */
let admin;
const personas = {};
const state = {};
/** One browser per usuario (and a second device for the solicitante). */
let sol;
let rev;
let adm;
let nuevo;
let sol2;

/** The API as a page's browser session: same cookie, so the same session. */
async function apiOf(page) {
  const c = await sessionCookie(page);
  assert.ok(c, `the browser holds ${COOKIE}`);
  return withCookie(`${COOKIE}=${c.value}`);
}

const atLogin = (page, redirect) =>
  page.waitForURL((url) => url.pathname === '/login' && (redirect === undefined || url.searchParams.get('redirect') === redirect));

const transitions = (page) => page.locator('.transitions button').allInnerTexts();

// ---- preparación ----------------------------------------------------------------------------

step('prepara personas, cuentas y solicitudes (el admin de arranque, por la API)', async () => {
  admin = await apiAs(ADMIN.email, ADMIN.password);
  for (const [key, nombre] of [
    ['sol', 'Sara Solicitante'],
    ['otra', 'Óscar Otro'],
    ['rev', 'Raúl Revisor'],
  ]) {
    const r = await admin('POST', '/personas', { nombre: `${nombre} ${RUN}`, edad: 35, email: `${key}.persona.${RUN}@example.com` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    personas[key] = r.body;
  }
  for (const [who, rol, persona] of [
    [SOL, 'solicitante', personas.sol],
    [REV, 'revisor', personas.rev],
  ]) {
    const r = await admin('POST', '/usuarios', { email: who.email, password: who.password, rol, persona_id: persona.id });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.rol, rol);
    assert.equal(r.body.persona_id, persona.id);
    assert.equal(r.body.password, undefined);
  }
  const ajena = await admin('POST', '/solicitudes', { titulo: AJENA, persona_id: personas.otra.id, prioridad: 'alta' });
  assert.equal(ajena.status, 201);
  state.ajena = ajena.body;
  const propia = await admin('POST', '/solicitudes', { titulo: PROPIA_REV, persona_id: personas.rev.id });
  assert.equal(propia.status, 201);
  state.propiaRev = propia.body;
});

// ---- solicitante ----------------------------------------------------------------------------

step('solicitante: sin sesión va al login; una contraseña errónea se dice en el formulario', async () => {
  sol = await openBrowser('solicitante');
  await sol.goto(`${BASE}/solicitudes`);
  await atLogin(sol, '/solicitudes');
  await sol.shot('login');

  await sol.getByLabel(/^Email( \*)?$/).fill(SOL.email);
  await sol.getByLabel(/^Contraseña( \*)?$/).fill('no-es-esta-clave');
  await sol.getByRole('button', { name: 'Entrar' }).click();
  const error = sol.getByTestId('login-error');
  await error.waitFor();
  assert.match(await error.innerText(), /Email o contraseña incorrectos/);
  await sol.shot('login-error');

  await loginUi(sol, SOL.email, SOL.password);
  await sol.waitForURL(`${BASE}/solicitudes`);
  await sol.getByRole('heading', { level: 1, name: 'Mis solicitudes' }).waitFor();
  assert.deepEqual(await navNames(sol), ['Mis solicitudes', 'Nueva solicitud', 'Estadísticas']);

  // The session is the HttpOnly, SameSite=Strict cookie: nothing a page script can read.
  const cookie = await sessionCookie(sol);
  assert.ok(cookie, `${COOKIE} is set`);
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  assert.doesNotMatch(await sol.evaluate(() => document.cookie), new RegExp(COOKIE));
  assert.equal(await sol.evaluate(() => localStorage.length + sessionStorage.length), 0);
  await sol.shot('mis-solicitudes-vacia');
});

step('solicitante: presenta una solicitud para sí misma, sin elegir persona', async () => {
  driving(sol);
  await nav(sol, 'Nueva solicitud').click();
  await sol.getByRole('heading', { level: 1, name: 'Nueva solicitud' }).waitFor();
  await sol.getByText('La presentas en tu nombre.').waitFor();
  assert.equal(await sol.locator('#persona_id').count(), 0, 'no persona picker');
  await sol.getByLabel('Título').fill(TITULO);
  await sol.getByLabel('Descripción').fill(`Me mudo el día 12 (${RUN}).`);
  await sol.getByLabel('Prioridad').selectOption('urgente');
  await sol.shot('nueva-solicitud');
  await sol.getByRole('button', { name: 'Crear solicitud' }).click();

  await sol.waitForURL(/\/solicitudes\/[0-9a-f-]{36}$/);
  state.id = sol.url().split('/').pop();
  await sol.getByRole('heading', { level: 1, name: TITULO }).waitFor();
  assert.equal(await sol.locator('.facts .badge').innerText(), 'Pendiente');
  assert.deepEqual(await transitions(sol), ['Cancelar solicitud'], 'she may only withdraw it');
  await sol.getByRole('link', { name: 'Editar' }).waitFor();
  assert.equal(await sol.getByRole('button', { name: 'Eliminar' }).count(), 0);
  await sol.shot('solicitud-creada');

  const r = await admin('GET', `/solicitudes/${state.id}`);
  assert.equal(r.body.persona_id, personas.sol.id, 'the API filed it for her own persona');
});

step('solicitante: no ve la solicitud de otra persona, ni en la lista ni por su dirección', async () => {
  driving(sol);
  await nav(sol, 'Mis solicitudes').click();
  await sol.getByRole('heading', { level: 1, name: 'Mis solicitudes' }).waitFor();
  await sol.getByLabel('Buscar en título o descripción').fill(RUN);
  await sol.getByRole('button', { name: 'Buscar' }).click();
  await sol.getByTestId('resumen').filter({ hasText: '1 solicitud · página 1' }).waitFor();
  await sol.getByRole('row').filter({ hasText: TITULO }).waitFor();
  assert.equal(await sol.getByRole('row').filter({ hasText: AJENA }).count(), 0);
  await sol.shot('mis-solicitudes');

  await sol.goto(`${BASE}/solicitudes/${state.ajena.id}`);
  await sol.getByRole('alert').waitFor();
  assert.equal(await sol.getByText(AJENA).count(), 0);
  await sol.shot('solicitud-ajena-no-existe');

  const api = await apiOf(sol);
  assert.equal((await api('GET', `/solicitudes/${state.ajena.id}`)).status, 404);
  const list = await api('GET', `/solicitudes?q=${encodeURIComponent(RUN)}&count=true`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((s) => s.id), [state.id]);
  assert.equal(list.body.total, 1);
  const other = await api('POST', '/solicitudes', { titulo: `Para otra ${RUN}`, persona_id: personas.otra.id });
  assert.equal(other.status, 403, 'filing for another persona is forbidden');
});

step('solicitante: sus estadísticas cuentan solo lo suyo, y lo dicen', async () => {
  driving(sol);
  await nav(sol, 'Estadísticas').click();
  await sol.getByRole('heading', { level: 1, name: 'Mis estadísticas' }).waitFor();
  await sol.getByTestId('alcance').filter({ hasText: 'Solo cuentan tus solicitudes.' }).waitFor();
  assert.equal(await sol.getByTestId('total').innerText(), '1');
  assert.equal(await sol.locator('td[data-prioridad="urgente"]').innerText(), '1');
  assert.equal(await sol.locator('td[data-estado="pendiente"]').innerText(), '1');
  await sol.locator('.chart canvas').first().waitFor();
  await sol.shot('mis-estadisticas');
});

step('solicitante: «Mi cuenta» muestra esta sesión', async () => {
  driving(sol);
  await sol.getByTestId('usuario-actual').getByRole('link').click();
  await sol.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
  await sol.getByTestId('cuenta-email').filter({ hasText: SOL.email }).waitFor();
  const rows = sol.getByTestId('sesiones').locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().innerText(), /Esta sesión/);
  await sol.shot('mi-cuenta');
});

// ---- revisor --------------------------------------------------------------------------------

step('revisor: entra en su cola de revisión, donde no están sus propias solicitudes', async () => {
  rev = await openBrowser('revisor');
  await rev.goto(`${BASE}/`);
  await atLogin(rev);
  await loginUi(rev, REV.email, REV.password);
  await rev.waitForURL(`${BASE}/revision`);
  await rev.getByRole('heading', { level: 1, name: 'Revisión' }).waitFor();
  assert.deepEqual(await navNames(rev), ['Revisión', 'Solicitudes', 'Nueva solicitud', 'Personas', 'Estadísticas']);

  await rev.getByLabel('Orden').selectOption('-prioridad');
  await rev.getByLabel('Buscar en título o descripción').fill(RUN);
  await rev.getByRole('button', { name: 'Buscar' }).click();
  // Three match the search (hers, the other persona's, his own); his own is left out.
  await rev.getByTestId('resumen').filter({ hasText: '3 en espera' }).waitFor();
  const rows = await rev.getByTestId('cola').locator('tbody tr').allInnerTexts();
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.match(rows[0], new RegExp(TITULO), 'the urgente one first');
  assert.match(rows[1], new RegExp(AJENA));
  await rev.shot('cola-revision');
});

step('revisor: la pasa a revisión y la rechaza, con comentario obligatorio', async () => {
  driving(rev);
  await rev.getByTestId('cola').getByRole('link', { name: TITULO }).click();
  await rev.waitForURL(`${BASE}/solicitudes/${state.id}`);
  await rev.getByRole('heading', { level: 1, name: TITULO }).waitFor();
  assert.deepEqual(await transitions(rev), ['Pasar a revisión'], 'withdrawing is hers, not his');
  assert.equal(await rev.getByRole('link', { name: 'Editar' }).count(), 0);
  assert.equal(await rev.getByRole('button', { name: 'Eliminar' }).count(), 0);
  await rev.shot('detalle-pendiente');

  await rev.getByRole('button', { name: 'Pasar a revisión' }).click();
  await rev.getByRole('status').filter({ hasText: 'Estado cambiado a «En revisión».' }).waitFor();
  assert.deepEqual(await transitions(rev), ['Aprobar', 'Rechazar', 'Devolver a pendiente']);

  await rev.getByRole('button', { name: 'Rechazar' }).click();
  await rev.locator('#comentario-error').waitFor();
  await rev.shot('rechazo-sin-comentario');

  await rev.getByLabel('Comentario').fill(COMENTARIO);
  await rev.getByRole('button', { name: 'Rechazar' }).click();
  await rev.getByRole('status').filter({ hasText: 'Estado cambiado a «Rechazada».' }).waitFor();
  assert.equal(await rev.locator('.facts .badge').innerText(), 'Rechazada');
  assert.equal(await rev.locator('.transitions button').count(), 0);

  await rev.waitForFunction(() => document.querySelectorAll('.timeline li').length === 3);
  const events = await rev.locator('.timeline li').allInnerTexts();
  assert.match(events[2], /En revisión → Rechazada/);
  assert.ok(events[2].includes(COMENTARIO));
  assert.deepEqual(await rev.getByTestId('actor').allInnerTexts(), [`Por: ${SOL.email}`, `Por: ${REV.email}`, `Por: ${REV.email}`]);
  await rev.shot('rechazada-con-historial');
});

step('revisor: en su propia solicitud solo puede cancelar; la API le niega lo demás (403)', async () => {
  driving(rev);
  await rev.goto(`${BASE}/solicitudes/${state.propiaRev.id}`);
  await rev.getByRole('heading', { level: 1, name: PROPIA_REV }).waitFor();
  assert.deepEqual(await transitions(rev), ['Cancelar solicitud']);
  await rev.getByTestId('sin-permiso').filter({ hasText: 'Es tu propia solicitud' }).waitFor();
  await rev.shot('propia-solo-cancelar');

  const api = await apiOf(rev);
  const r = await api('POST', `/solicitudes/${state.propiaRev.id}/transiciones`, { estado: 'en_revision' }, { 'If-Match': '"1"' });
  assert.equal(r.status, 403);
  assert.equal(typeof r.body.detail, 'string');
});

step('revisor: ve las solicitudes, personas y estadísticas de todos', async () => {
  driving(rev);
  await nav(rev, 'Solicitudes').click();
  await rev.getByRole('heading', { level: 1, name: 'Solicitudes' }).waitFor();
  await rev.getByTestId('resumen').waitFor();
  await rev.shot('solicitudes');
  await nav(rev, 'Personas').click();
  await rev.getByRole('heading', { level: 1, name: 'Personas' }).waitFor();
  await rev.getByTestId('resumen').waitFor();
  assert.equal(await rev.getByRole('link', { name: 'Nueva persona' }).count(), 0, 'only admins create personas');
  await rev.shot('personas');
  await nav(rev, 'Estadísticas').click();
  await rev.getByTestId('alcance').filter({ hasText: 'Todas las solicitudes' }).waitFor();
  await rev.getByTestId('total').waitFor();
  await rev.shot('estadisticas');
});

step('solicitante: ve su solicitud rechazada, con el comentario y quién la rechazó', async () => {
  driving(sol);
  await sol.goto(`${BASE}/solicitudes/${state.id}`);
  await sol.getByRole('heading', { level: 1, name: TITULO }).waitFor();
  assert.equal(await sol.locator('.facts .badge').innerText(), 'Rechazada');
  await sol.getByText(COMENTARIO).waitFor();
  assert.equal(await sol.locator('.transitions button').count(), 0);
  assert.equal(await sol.getByRole('link', { name: 'Editar' }).count(), 0, 'final: no longer editable');
  assert.equal((await sol.getByTestId('actor').allInnerTexts()).at(-1), `Por: ${REV.email}`);
  await sol.shot('solicitud-rechazada');
});

// ---- admin ----------------------------------------------------------------------------------

step('admin: crea una cuenta de revisor', async () => {
  adm = await openBrowser('admin');
  await adm.goto(`${BASE}/usuarios`);
  await atLogin(adm, '/usuarios');
  await loginUi(adm, ADMIN.email, ADMIN.password);
  await adm.waitForURL(`${BASE}/usuarios`);
  await adm.getByRole('heading', { level: 1, name: 'Usuarios' }).waitFor();
  assert.deepEqual(await navNames(adm), ['Revisión', 'Solicitudes', 'Nueva solicitud', 'Personas', 'Usuarios', 'Estadísticas']);
  await adm.getByTestId('resumen').waitFor();
  await adm.shot('usuarios');

  await adm.getByRole('link', { name: 'Nuevo usuario' }).click();
  await adm.getByRole('heading', { level: 1, name: 'Nuevo usuario' }).waitFor();
  await adm.getByLabel(/^Email( \*)?$/).fill(NUEVO.email);
  await adm.getByLabel(/^Rol( \*)?$/).selectOption('revisor');
  await adm.getByLabel('Contraseña inicial').fill(NUEVO.password);
  await adm.shot('nuevo-usuario');
  await adm.getByRole('button', { name: 'Crear usuario' }).click();
  await adm.waitForURL(/\/usuarios\/[0-9a-f-]{36}$/);
  await adm.getByRole('status').filter({ hasText: 'Ya puede iniciar sesión.' }).waitFor();
  assert.equal(await adm.getByTestId('usuario-rol').innerText(), 'Revisor');
  assert.equal(await adm.getByTestId('usuario-activo').innerText(), 'Activo');
  await adm.shot('usuario-creado');
});

step('admin: la cuenta nueva inicia sesión enseguida', async () => {
  nuevo = await openBrowser('revisor-nuevo');
  await nuevo.goto(`${BASE}/`);
  await atLogin(nuevo);
  await loginUi(nuevo, NUEVO.email, NUEVO.password);
  await nuevo.waitForURL(`${BASE}/revision`);
  await nuevo.getByRole('heading', { level: 1, name: 'Revisión' }).waitFor();
  state.nuevoCookie = await sessionCookie(nuevo);
  assert.ok(state.nuevoCookie);
  await nuevo.shot('dentro');
});

step('admin: la desactiva, y su sesión abierta deja de valer en la siguiente petición', async () => {
  driving(adm);
  await adm.getByRole('button', { name: 'Desactivar cuenta' }).click();
  await adm.getByRole('button', { name: 'Sí, desactivar' }).click();
  await adm.getByTestId('usuario-activo').filter({ hasText: 'Desactivado' }).waitFor();
  await adm.getByRole('button', { name: 'Reactivar cuenta' }).waitFor();
  await adm.shot('usuario-desactivado');

  // The SPA, still showing a page, is sent to the login at its next request, saying why.
  driving(nuevo);
  await nav(nuevo, 'Solicitudes').click();
  await atLogin(nuevo, '/solicitudes');
  await nuevo.getByRole('status').filter({ hasText: 'Tu sesión ha terminado' }).waitFor();
  await nuevo.shot('sesion-rechazada');
  const me = await withCookie(`${COOKIE}=${state.nuevoCookie.value}`)('GET', '/auth/me');
  assert.equal(me.status, 401);

  // Logging in again: the same 401 as a wrong password.
  await nuevo.getByLabel(/^Email( \*)?$/).fill(NUEVO.email);
  await nuevo.getByLabel(/^Contraseña( \*)?$/).fill(NUEVO.password);
  await nuevo.getByRole('button', { name: 'Entrar' }).click();
  await nuevo.getByTestId('login-error').filter({ hasText: 'Email o contraseña incorrectos.' }).waitFor();
  await nuevo.shot('login-desactivada');
});

step('admin: la lista de usuarios la muestra desactivada; personas, revisión y estadísticas', async () => {
  driving(adm);
  await nav(adm, 'Usuarios').click();
  await adm.getByLabel('Buscar por email').fill(RUN);
  await adm.getByRole('button', { name: 'Buscar' }).click();
  await adm.getByTestId('resumen').filter({ hasText: '3 usuarios' }).waitFor();
  const row = adm.getByRole('row').filter({ hasText: NUEVO.email });
  assert.match(await row.innerText(), /Desactivado/);
  await adm.shot('usuarios-busqueda');

  await nav(adm, 'Personas').click();
  await adm.getByRole('heading', { level: 1, name: 'Personas' }).waitFor();
  await adm.getByRole('link', { name: 'Nueva persona' }).waitFor();
  await adm.getByTestId('resumen').waitFor();
  await adm.shot('personas');
  await nav(adm, 'Revisión').click();
  await adm.getByRole('heading', { level: 1, name: 'Revisión' }).waitFor();
  await adm.getByTestId('resumen').waitFor();
  await adm.shot('revision');
  await nav(adm, 'Estadísticas').click();
  await adm.getByTestId('alcance').filter({ hasText: 'Todas las solicitudes' }).waitFor();
  await adm.getByTestId('total').waitFor();
  await adm.shot('estadisticas');
});

// ---- sesiones -------------------------------------------------------------------------------

step('mis sesiones: la solicitante cierra la de su otro dispositivo, que queda fuera', async () => {
  sol2 = await openBrowser('solicitante');
  await sol2.goto(`${BASE}/solicitudes`);
  await loginUi(sol2, SOL.email, SOL.password);
  await sol2.getByRole('heading', { level: 1, name: 'Mis solicitudes' }).waitFor();

  driving(sol);
  await sol.getByTestId('usuario-actual').getByRole('link').click();
  await sol.getByRole('heading', { level: 1, name: 'Mi cuenta' }).waitFor();
  await sol.waitForFunction(() => document.querySelectorAll('[data-testid="sesiones"] tbody tr').length === 2);
  assert.equal(await sol.locator('[data-testid="sesiones"] tbody tr[data-actual]').count(), 1);
  await sol.shot('mis-sesiones-dos');

  await sol.getByRole('button', { name: 'Cerrar todas las demás' }).click();
  await sol.getByRole('status').filter({ hasText: 'Sesión cerrada.' }).waitFor();
  await sol.waitForFunction(() => document.querySelectorAll('[data-testid="sesiones"] tbody tr').length === 1);
  assert.equal(await sol.locator('[data-testid="sesiones"] tbody tr[data-actual]').count(), 1);
  await sol.shot('mis-sesiones-una');

  driving(sol2);
  await nav(sol2, 'Estadísticas').click();
  await atLogin(sol2, '/estadisticas');
});

step('cerrar sesión la termina en el servidor y borra la cookie', async () => {
  driving(sol);
  const before = await sessionCookie(sol);
  assert.ok(before);
  await sol.getByRole('button', { name: 'Cerrar sesión' }).click();
  await atLogin(sol);
  await sol.getByRole('status').filter({ hasText: 'Has cerrado la sesión.' }).waitFor();
  await sol.shot('sesion-cerrada');
  assert.equal(await sessionCookie(sol), undefined, 'the cookie is cleared');
  const me = await withCookie(`${COOKIE}=${before.value}`)('GET', '/auth/me');
  assert.equal(me.status, 401, 'the session is dead at the server');

  await sol.goto(`${BASE}/solicitudes`);
  await atLogin(sol, '/solicitudes');
});

step('sin errores de JavaScript en ninguna página', () => {
  assert.deepEqual(pageErrors, []);
});
