/** Binds the SPID/CIE callback to the browser that started the login (no login CSRF). */
export const OIDC_STATE_COOKIE = 'ma_oidc_state';
