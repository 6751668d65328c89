import { eq } from 'drizzle-orm';
import { readNotificationPrefs, type NotificationPrefs } from '../../src/lib/shared/schemas.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { users } from '../db/schema.js';
import { recordAudit } from '../audit/log.js';
import { hasPassword, type User } from '../auth/accounts.js';

export function profileOf(db: Db, user: User) {
	return {
		hasPassword: hasPassword(db, user.id),
		givenName: user.givenName,
		familyName: user.familyName,
		codiceFiscale: user.codiceFiscale,
		fiscalCodeVerified: user.fiscalCodeVerifiedAt !== null,
		loginEmail: user.email,
		contactEmail: user.contactEmail,
		phone: user.phone,
		prefs: readNotificationPrefs(user.notificationPrefs)
	};
}

export function updateContacts(db: Db, clock: Clock, user: User, contacts: { contactEmail: string; phone: string }, ip = ''): void {
	db.transaction((tx) => {
		tx.update(users).set(contacts).where(eq(users.id, user.id)).run();
		recordAudit(tx, clock, { tenantId: user.tenantId, actorUserId: user.id, action: 'user.profile_update', entity: 'user', entityId: user.id, ip });
	});
}

export function updateNotificationPrefs(db: Db, user: User, prefs: NotificationPrefs): void {
	db.update(users).set({ notificationPrefs: JSON.stringify(prefs) }).where(eq(users.id, user.id)).run();
}
