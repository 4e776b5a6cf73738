import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { homeOf, session, type Role } from './auth/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Who may open the page; a page without roles is open to anyone (sign-in). */
    roles?: Role[];
    title: string;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => (session.value ? homeOf(session.value.role) : '/sign-in') },
  { path: '/sign-in', component: () => import('./pages/SignIn.vue'), meta: { title: 'Sign in' } },
  { path: '/callback', component: () => import('./pages/SignInCallback.vue'), meta: { title: 'Signing in' } },
  {
    path: '/trip',
    component: () => import('./pages/MyTrip.vue'),
    meta: { roles: ['passenger'], title: 'My trip' },
  },
  {
    path: '/driver',
    component: () => import('./pages/DriverConsole.vue'),
    meta: { roles: ['driver'], title: 'Driver console' },
  },
  {
    path: '/dashboard',
    component: () => import('./pages/Dashboard.vue'),
    meta: { roles: ['admin'], title: 'Dashboard' },
  },
  {
    path: '/drivers',
    component: () => import('./pages/Drivers.vue'),
    meta: { roles: ['admin'], title: 'Drivers' },
  },
  {
    path: '/passengers',
    component: () => import('./pages/Passengers.vue'),
    meta: { roles: ['admin'], title: 'Passengers' },
  },
  { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { title: 'Not found' } },
];

export const router = createRouter({ history: createWebHistory('/app/'), routes });

/** Signed out, every page leads to sign-in (and back after); a page for another role, to one's own. */
router.beforeEach((to) => {
  const roles = to.meta.roles;
  if (!roles) return true;
  const current = session.value;
  if (!current) return { path: '/sign-in', query: { next: to.fullPath } };
  if (!roles.includes(current.role)) return { path: homeOf(current.role), query: { denied: to.path } };
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title} · Rideshare`;
});
