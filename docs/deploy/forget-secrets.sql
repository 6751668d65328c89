-- The secrets key is lost for good (README, "Backup e ripristino"): with the service stopped and the
-- key file deleted, forget everything sealed under it. Staff set up their authenticator again at the
-- next sign-in; the platform admin types each Comune's credentials again on /admin/comuni/<id>.
BEGIN;
DELETE FROM recovery_codes;
DELETE FROM totp_credentials;
UPDATE tenants SET
	oidc_client_secret = NULL,
	payment_settings = json_remove(coalesce(nullif(payment_settings, ''), '{}'), '$.receiptSecret', '$.lisSecret', '$.pagopa.checkoutSubscriptionKey', '$.pagopa.gpdSubscriptionKey');
COMMIT;
