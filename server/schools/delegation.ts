import { eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { schools } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { recordAudit } from '../audit/log.js';
import { inviteStaff, type Actor } from '../users/invitations.js';
import type { User } from '../auth/accounts.js';
import { findSchool, type School } from './schools.js';
import { invalid, notFound, saved, type SetupResult } from './outcome.js';

/**
 * "Gli inserimenti sono gestiti dalla scuola": the school's own staff get an account limited to
 * that school (memberships.schoolId), and the school is marked as managing its enrolments.
 */
export function delegateSchool(
	db: Db,
	clock: Clock,
	scope: TenantScope,
	actor: Actor,
	input: { schoolId: number; givenName: string; familyName: string; email: string }
): SetupResult<{ school: School; user: User; token: string }> {
	return db.transaction(() => {
		const school = findSchool(db, scope, input.schoolId);
		if (!school) return notFound('Scuola non trovata.');
		if (school.archivedAt) return invalid({ schoolId: 'Scuola archiviata: ripristinala prima di delegarla' });
		const invited = inviteStaff(db, clock, actor, { tenantId: scope.tenantId, role: 'school_staff', schoolId: school.id, email: input.email, givenName: input.givenName, familyName: input.familyName });
		if (invited.status === 'rejected') return invalid({ email: invited.message });
		if (school.managedBy !== 'scuola') {
			db.update(schools).set({ managedBy: 'scuola' }).where(scope.where(schools, eq(schools.id, school.id))).run();
			recordAudit(db, clock, { tenantId: scope.tenantId, actorUserId: actor.userId, action: 'school.delegate', entity: 'school', entityId: school.id, details: { to: invited.user.id }, ip: actor.ip });
		}
		return saved({ school: { ...school, managedBy: 'scuola' as const }, user: invited.user, token: invited.token });
	});
}
