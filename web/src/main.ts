import { createApp, nextTick } from 'vue';
import App from './App.vue';
import { http } from './api/client';
import { createAppRouter } from './router';
import { installAuthGuard, installUnauthorizedRedirect } from './lib/authGuard';
import { flashNavigated } from './lib/flash';
import './style.css';

const router = createAppRouter();
installAuthGuard(router);
installUnauthorizedRedirect(router, http);

router.afterEach((to, from, failure) => {
  if (failure) return;
  flashNavigated();
  document.title = to.meta.title ? `${to.meta.title} · Solicitudes` : 'Solicitudes';
  // Move focus to the new page's heading so keyboard and screen-reader users start there
  // (not on a query-only change such as a filter, and not on the first load).
  if (from.matched.length === 0 || from.path === to.path) return;
  void nextTick(() => {
    const heading = document.querySelector<HTMLElement>('main h1');
    heading?.focus();
  });
});

createApp(App).use(router).mount('#app');
