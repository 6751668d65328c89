-- The secrets key is lost for good (README, "Backup e ripristino"): with the service stopped and the
-- key file deleted, forget everything sealed under it. Staff set up their authenticator again at the
-- next sign-in; the platform admin types each Comune's credentials again on /admin/comuni/<id>.
BEGIN;
DELETE FROM recovery_codes;
DELETE FROM totp_credentials;
UPDATE tenants SET
	oidc_client_secret = NULL,
	-- A value that is not JSON holds no secret the server reads (it refuses it at use): left as it is.
	payment_settings = CASE
		WHEN json_valid(coalesce(nullif(payment_settings, ''), '{}'))
		THEN json_remove(coalesce(nullif(payment_settings, ''), '{}'), '$.receiptSecret', '$.lisSecret', '$.pagopa.checkoutSubscriptionKey', '$.pagopa.gpdSubscriptionKey')
		ELSE payment_settings
	END;
COMMIT;
