import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import NotFound from './views/NotFound.vue';
import PersonaEdit from './views/PersonaEdit.vue';
import PersonaNew from './views/PersonaNew.vue';
import PersonasList from './views/PersonasList.vue';
import SolicitudDetail from './views/SolicitudDetail.vue';
import SolicitudEdit from './views/SolicitudEdit.vue';
import SolicitudesList from './views/SolicitudesList.vue';
import SolicitudNew from './views/SolicitudNew.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Document title (before " · Solicitudes"). */
    title?: string;
  }
}

// Every view is in the main bundle except the dashboard, which brings chart.js.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/solicitudes' },
  { path: '/solicitudes', name: 'solicitudes', component: SolicitudesList, meta: { title: 'Solicitudes' } },
  { path: '/solicitudes/nueva', name: 'solicitud-nueva', component: SolicitudNew, meta: { title: 'Nueva solicitud' } },
  { path: '/solicitudes/:id', name: 'solicitud', component: SolicitudDetail, props: true, meta: { title: 'Solicitud' } },
  { path: '/solicitudes/:id/editar', name: 'solicitud-editar', component: SolicitudEdit, props: true, meta: { title: 'Editar solicitud' } },
  { path: '/personas', name: 'personas', component: PersonasList, meta: { title: 'Personas' } },
  { path: '/personas/nueva', name: 'persona-nueva', component: PersonaNew, meta: { title: 'Nueva persona' } },
  { path: '/personas/:id', name: 'persona', component: PersonaEdit, props: true, meta: { title: 'Persona' } },
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
