/** Binds the SPID/CIE callback to the browser that started the login (no login CSRF). */
export const OIDC_STATE_COOKIE = 'ma_oidc_state';
/** A SPID/CIE identity waiting for its owner to claim an existing account. */
export const PENDING_LINK_COOKIE = 'ma_pending_link';
