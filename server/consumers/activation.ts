import { and, eq } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { consumers, enrolments, guardianLinks } from '../db/schema.js';
import type { TenantScope } from '../db/tenant-scope.js';
import { hashToken } from '../auth/tokens.js';
import { recordAudit } from '../audit/log.js';

// No 0/O, 1/I/L: the code is read off paper and typed on a phone.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** 12 characters from a 31-letter alphabet (~59 bits), printed as XXXX-XXXX-XXXX. */
export function generateActivationCode(): string {
	const bytes = new Uint8Array(12);
	crypto.getRandomValues(bytes);
	const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]);
	return [chars.slice(0, 4), chars.slice(4, 8), chars.slice(8)].map((g) => g.join('')).join('-');
}

export function normalizeActivationCode(input: string): string {
	const raw = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
	return raw.length === 12 ? `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}` : raw;
}

export function hashActivationCode(code: string): string {
	return hashToken(normalizeActivationCode(code));
}

export type ActivationResult =
	| { status: 'linked'; consumerId: number; givenName: string; alreadyLinked: boolean }
	| { status: 'invalid_code' }
	| { status: 'not_applicant' };

interface Activator {
	id: string;
	codiceFiscale: string | null;
}

export function activateWithCode(db: Db, clock: Clock, scope: TenantScope, user: Activator, code: string, ip = ''): ActivationResult {
	const enrolment = db
		.select({ id: enrolments.id, consumerId: enrolments.consumerId, applicant: enrolments.applicantFiscalCode, givenName: consumers.givenName })
		.from(enrolments)
		.innerJoin(consumers, eq(consumers.id, enrolments.consumerId))
		.where(scope.where(enrolments, eq(enrolments.activationCodeHash, hashActivationCode(code))))
		.get();
	if (!enrolment) return { status: 'invalid_code' };
	// The code goes with the application: only the guardian who applied may use it.
	// Compared exactly: an omocodia variant is a different person, not another spelling.
	if (enrolment.applicant !== user.codiceFiscale) return { status: 'not_applicant' };
	return db.transaction((tx) => {
		const existing = tx
			.select({ id: guardianLinks.id })
			.from(guardianLinks)
			.where(and(eq(guardianLinks.userId, user.id), eq(guardianLinks.consumerId, enrolment.consumerId)))
			.get();
		if (!existing) {
			tx.insert(guardianLinks)
				.values({ tenantId: scope.tenantId, userId: user.id, consumerId: enrolment.consumerId, enrolmentId: enrolment.id, linkedBy: 'activation_code', createdAt: clock.now() })
				.run();
			recordAudit(tx, clock, { tenantId: scope.tenantId, actorUserId: user.id, action: 'guardian.link', entity: 'consumer', entityId: enrolment.consumerId, details: { via: 'activation_code', enrolmentId: enrolment.id }, ip });
		}
		return { status: 'linked', consumerId: enrolment.consumerId, givenName: enrolment.givenName, alreadyLinked: !!existing } as const;
	});
}
