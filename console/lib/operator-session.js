// The operator console's sign-in: the API key, the tenant worked on and the key's role live in
// sessionStorage (gone when the tab closes).
import { toast } from './dom.js';

const KEY = 'hookrelay.key';
const TENANT = 'hookrelay.tenant';
const ROLE = 'hookrelay.role';

export const operatorSession = {
  key: () => sessionStorage.getItem(KEY),
  tenant: () => sessionStorage.getItem(TENANT),
  role: () => sessionStorage.getItem(ROLE),
  setKey: (key) => sessionStorage.setItem(KEY, key),
  setTenant: (tenantId) => sessionStorage.setItem(TENANT, tenantId),
  setRole: (role) => sessionStorage.setItem(ROLE, role),
  /** Forgets a key that was not accepted (the sign-in form tried it). */
  forgetKey() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(TENANT);
  },
};

export function signOut(message) {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(TENANT);
  sessionStorage.removeItem(ROLE);
  location.hash = '#/login';
  if (message) setTimeout(() => toast(message, true), 0);
}
