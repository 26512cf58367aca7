import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import type { Usuario } from './api/types';
import { esAdmin, inicio, puedeCrearSolicitud, veTodo } from './lib/access';
import { usuario } from './lib/session';
import CuentaView from './views/CuentaView.vue';
import LoginView from './views/LoginView.vue';
import NotFound from './views/NotFound.vue';
import PersonaEdit from './views/PersonaEdit.vue';
import PersonaNew from './views/PersonaNew.vue';
import PersonasList from './views/PersonasList.vue';
import RevisionQueue from './views/RevisionQueue.vue';
import SolicitudDetail from './views/SolicitudDetail.vue';
import SolicitudEdit from './views/SolicitudEdit.vue';
import SolicitudesList from './views/SolicitudesList.vue';
import SolicitudNew from './views/SolicitudNew.vue';
import UsuarioEdit from './views/UsuarioEdit.vue';
import UsuarioNew from './views/UsuarioNew.vue';
import UsuariosList from './views/UsuariosList.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Document title (before " · Solicitudes"). */
    title?: string;
    /** Open without a session (the login page). Every other page needs one. */
    public?: boolean;
    /** Who may open the page (default: anyone logged in); others are sent to their start page. */
    allow?: (u: Readonly<Usuario>) => boolean;
  }
}

// Every view is in the main bundle except the dashboard, which brings chart.js.
export const routes: RouteRecordRaw[] = [
  // The start page depends on the role; the guard has loaded the usuario by then.
  { path: '/', name: 'inicio', component: NotFound, beforeEnter: () => inicio(usuario.value) },
  { path: '/login', name: 'login', component: LoginView, meta: { title: 'Iniciar sesión', public: true } },
  { path: '/cuenta', name: 'cuenta', component: CuentaView, meta: { title: 'Mi cuenta' } },
  { path: '/revision', name: 'revision', component: RevisionQueue, meta: { title: 'Revisión', allow: veTodo } },
  { path: '/solicitudes', name: 'solicitudes', component: SolicitudesList, meta: { title: 'Solicitudes' } },
  {
    path: '/solicitudes/nueva',
    name: 'solicitud-nueva',
    component: SolicitudNew,
    meta: { title: 'Nueva solicitud', allow: puedeCrearSolicitud },
  },
  { path: '/solicitudes/:id', name: 'solicitud', component: SolicitudDetail, props: true, meta: { title: 'Solicitud' } },
  { path: '/solicitudes/:id/editar', name: 'solicitud-editar', component: SolicitudEdit, props: true, meta: { title: 'Editar solicitud' } },
  { path: '/personas', name: 'personas', component: PersonasList, meta: { title: 'Personas', allow: veTodo } },
  { path: '/personas/nueva', name: 'persona-nueva', component: PersonaNew, meta: { title: 'Nueva persona', allow: esAdmin } },
  { path: '/personas/:id', name: 'persona', component: PersonaEdit, props: true, meta: { title: 'Persona' } },
  { path: '/usuarios', name: 'usuarios', component: UsuariosList, meta: { title: 'Usuarios', allow: esAdmin } },
  { path: '/usuarios/nuevo', name: 'usuario-nuevo', component: UsuarioNew, meta: { title: 'Nuevo usuario', allow: esAdmin } },
  { path: '/usuarios/:id', name: 'usuario', component: UsuarioEdit, props: true, meta: { title: 'Usuario', allow: esAdmin } },
  { path: '/estadisticas', name: 'estadisticas', component: () => import('./views/EstadisticasView.vue'), meta: { title: 'Estadísticas' } },
  { path: '/:pathMatch(.*)*', name: 'no-encontrada', component: NotFound, meta: { title: 'Página no encontrada' } },
];

export function createAppRouter() {
  return createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
}
