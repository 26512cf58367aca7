// The session and navigation: pages need a login, a 401 anywhere sends the user to the login
// page and, once logged in again, back where they were.
import type { AxiosInstance } from 'axios';
import type { Router } from 'vue-router';
import { onUnauthorized } from '../api/client';
import { MSG_UNAUTHENTICATED } from '../api/errors';
import { inicio } from './access';
import { setFlash } from './flash';
import { forgetSession, loadSession, loginRoute, safeRedirect, sessionProblem } from './session';

/** Before every navigation: who is logged in (asked once), and whether they may go there. */
export function installAuthGuard(router: Router): void {
  router.beforeEach(async (to) => {
    let u;
    try {
      u = await loadSession();
    } catch {
      // The API did not answer (network, 503): the login page says so and offers to retry.
      sessionProblem.value = true;
      return to.name === 'login' ? true : loginRoute(to.fullPath);
    }
    sessionProblem.value = false;
    if (to.name === 'login') return u ? safeRedirect(to.query.redirect) : true;
    if (to.meta.public) return true;
    if (!u) return loginRoute(to.fullPath);
    if (to.meta.allow && !to.meta.allow(u)) {
      setFlash('No tienes permiso para ver esa página.');
      return inicio(u);
    }
    return true;
  });
}

/** A 401 from any request (not the login itself): forget the usuario, go and log in. */
export function installUnauthorizedRedirect(router: Router, instance: AxiosInstance): () => void {
  return onUnauthorized(instance, () => {
    forgetSession();
    const here = router.currentRoute.value;
    if (here.meta.public) return;
    setFlash(MSG_UNAUTHENTICATED);
    void router.push(loginRoute(here.fullPath));
  });
}
