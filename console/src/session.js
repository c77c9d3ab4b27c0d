// The bearer token of this browser tab: kept in sessionStorage, so it lives as long as the tab
// and is never shared with other tabs or written to disk by the console.
const key = 'capstan.token';

export function getToken() {
  return sessionStorage.getItem(key) || '';
}

export function setToken(token) {
  sessionStorage.setItem(key, token);
}

export function clearToken() {
  sessionStorage.removeItem(key);
}
