import { count } from 'drizzle-orm';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import {
	closures,
	consumers,
	schoolCalendars,
	enrolments,
	guardianLinks,
	memberships,
	passwordCredentials,
	schoolClasses,
	schoolYears,
	schools,
	serviceGroups,
	services,
	tariffBands,
	tenants,
	totpCredentials,
	users,
	type Role
} from '../db/schema.js';
import { hashPassword } from '../auth/password.js';
import { newUserId } from '../auth/accounts.js';
import { decodeBase32 } from '@oslojs/encoding';
import { hashActivationCode } from '../consumers/activation.js';
import { schoolYearOf } from '../calendar/school-year.js';
import { easterSunday } from '../calendar/holidays.js';
import { addDays } from '../calendar/dates.js';
import { foldForSearch } from '../../src/lib/shared/text.js';

/** One password for every demo account; it passes the registration rules. */
export const DEMO_PASSWORD = 'MensaAperta-2026';
/**
 * The demo staff's authenticator key, published like their password: add it to an app
 * (FreeOTP, Aegis, Google Authenticator…) to sign in as them. Real staff enrol their own.
 */
export const DEMO_TOTP_SECRET = 'MENSAAPERTADEMOSOLOPERPROVAXXXXX';

export interface DemoLogin {
	comune: string;
	role: Role;
	email: string;
	note: string;
}

export interface DemoActivation {
	comune: string;
	child: string;
	applicant: string;
	applicantFiscalCode: string;
	code: string;
}

export interface DemoSeed {
	logins: DemoLogin[];
	activations: DemoActivation[];
}

/**
 * Fixed demo codes, so the README can print them; real ones come from generateActivationCode().
 */
const DEMO_CODES = { anna: 'MZZ7-K4PQ-2RTA', tommaso: 'CHV3-WX9N-8HJE' };

export function isEmpty(db: Db): boolean {
	return db.select({ n: count() }).from(tenants).get()!.n === 0;
}

export async function seedDemo(db: Db, clock: Clock): Promise<DemoSeed> {
	const now = clock.now();
	const { label, startYear } = schoolYearOf(now);
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	const logins: DemoLogin[] = [];
	const activations: DemoActivation[] = [];

	db.transaction((tx) => {
		const insertTenant = (values: Omit<typeof tenants.$inferInsert, 'searchName' | 'createdAt'>) =>
			tx.insert(tenants).values({ ...values, searchName: foldForSearch(values.name), createdAt: now }).returning().get();

		const mazze = insertTenant({
			slug: 'mazze',
			name: 'Mazzè',
			province: 'TO',
			codiceFiscaleEnte: '84001550015',
			contactOffice: 'Ufficio scolastico',
			contactPhone: '011/9835901 int.1',
			contactEmail: 'scuola@mazze.example.it',
			// As in the Comune's notice: SPID/CIE "non è ancora attiva".
			spidEnabled: false,
			cieEnabled: false
		});
		const chiusi = insertTenant({
			slug: 'chiusi-della-verna',
			name: 'Chiusi della Verna',
			province: 'AR',
			codiceFiscaleEnte: '80002280511',
			contactOffice: 'Ufficio servizi scolastici',
			contactPhone: '0575 599611',
			contactEmail: 'scuola@chiusi.example.it',
			spidEnabled: true,
			cieEnabled: true
		});

		const addUser = (tenantId: number | null, role: Role, email: string, givenName: string, familyName: string, extra: Partial<typeof users.$inferInsert> = {}, schoolId: number | null = null) => {
			const user = tx
				.insert(users)
				.values({ id: newUserId(), tenantId, email, emailVerifiedAt: now, givenName, familyName, contactEmail: email, privacyAcceptedAt: now, createdAt: now, ...extra })
				.returning()
				.get();
			tx.insert(passwordCredentials).values({ userId: user.id, hash: passwordHash, updatedAt: now }).run();
			tx.insert(memberships).values({ tenantId, userId: user.id, role, schoolId, createdAt: now }).run();
			if (role !== 'guardian') tx.insert(totpCredentials).values({ userId: user.id, key: Buffer.from(decodeBase32(DEMO_TOTP_SECRET)), enabledAt: now, createdAt: now }).run();
			return user;
		};

		const firstDay = `${startYear}-09-14`;
		const lastDay = `${startYear + 1}-06-10`;

		for (const tenant of [mazze, chiusi]) {
			const t = tenant.id;
			const year = tx.insert(schoolYears).values({ tenantId: t, label, firstDay, lastDay, createdAt: now }).returning().get();
			const group = tx.insert(serviceGroups).values({ tenantId: t, name: 'Refezione', createdAt: now }).returning().get();
			const mensa = tx.insert(services).values({ tenantId: t, serviceGroupId: group.id, name: 'Mensa', createdAt: now }).returning().get();
			const bands = Object.fromEntries(
				(
					[
						['a', 'Fascia A — ISEE fino a 8.000 €', 250],
						['b', 'Fascia B — ISEE da 8.000 a 20.000 €', 420],
						['c', 'Fascia C — ISEE oltre 20.000 € o non presentato', 520],
						['esente', 'Esenzione', 0]
					] as const
				).map(([key, name, price]) => [key, tx.insert(tariffBands).values({ tenantId: t, schoolYearId: year.id, name, mealPriceCents: price, createdAt: now }).returning().get()])
			);
			// Secondary schools often serve lunch only on the long days: Mon, Wed, Thu.
			const school = (name: string, level: 'infanzia' | 'primaria' | 'secondaria', managedBy: 'comune' | 'scuola') => {
				const created = tx.insert(schools).values({ tenantId: t, name, level, managedBy, createdAt: now }).returning().get();
				const weekdays = level === 'secondaria' ? '1,3,4' : '1,2,3,4,5';
				tx.insert(schoolCalendars).values({ tenantId: t, schoolId: created.id, schoolYearId: year.id, weekdays, firstDay, lastDay, effectiveFrom: firstDay, createdAt: now }).run();
				return created;
			};
			const easter = easterSunday(startYear + 1);
			for (const [fromDate, toDate, reason] of [
				[`${startYear}-12-23`, `${startYear + 1}-01-06`, 'Vacanze di Natale'],
				[addDays(easter, -3), addDays(easter, 2), 'Vacanze di Pasqua']
			]) {
				tx.insert(closures).values({ tenantId: t, fromDate, toDate, reason, createdAt: now }).run();
			}
			const schoolClass = (schoolId: number, name: string) =>
				tx.insert(schoolClasses).values({ tenantId: t, schoolId, schoolYearId: year.id, name, createdAt: now }).returning().get();
			const enrol = (
				child: { cf: string; givenName: string; familyName: string; birthDate: string; classId: number; diet?: string },
				applicant: { cf: string; name: string },
				band: keyof typeof bands,
				code: string
			) => {
				const consumer = tx
					.insert(consumers)
					.values({ tenantId: t, codiceFiscale: child.cf, givenName: child.givenName, familyName: child.familyName, birthDate: child.birthDate, schoolClassId: child.classId, dietLabel: child.diet ?? null, createdAt: now })
					.returning()
					.get();
				const enrolment = tx
					.insert(enrolments)
					.values({ tenantId: t, consumerId: consumer.id, serviceId: mensa.id, schoolYearId: year.id, tariffBandId: bands[band].id, applicantFiscalCode: applicant.cf, applicantName: applicant.name, activationCodeHash: hashActivationCode(code), status: 'attiva', fromDate: firstDay, createdAt: now })
					.returning()
					.get();
				return { consumer, enrolment };
			};

			if (tenant === mazze) {
				const infanzia = school("Scuola dell'infanzia di Mazzè", 'infanzia', 'scuola');
				const primaria = school('Scuola primaria "Gianni Rodari"', 'primaria', 'comune');
				const secondaria = school('Scuola secondaria di I grado "Carlo Alberto Dalla Chiesa"', 'secondaria', 'comune');
				const sezA = schoolClass(infanzia.id, 'Sezione A');
				const terzaB = schoolClass(primaria.id, '3ª B');
				const primaA = schoolClass(primaria.id, '1ª A');
				schoolClass(secondaria.id, '2ª A');

				const maria = addUser(t, 'guardian', 'maria.rossi@example.com', 'Maria', 'Rossi', { codiceFiscale: 'RSSMRA85C52L219F', phone: '333 1234567' });
				const mariaApplicant = { cf: 'RSSMRA85C52L219F', name: 'Maria Rossi' };
				const luca = enrol({ cf: 'RSSLCU17E04E379I', givenName: 'Luca', familyName: 'Rossi', birthDate: '2017-05-04', classId: terzaB.id }, mariaApplicant, 'b', 'RSSX-UCA2-MZZ3');
				const sofia = enrol({ cf: 'RSSSFO21P60E379I', givenName: 'Sofia', familyName: 'Rossi', birthDate: '2021-09-20', classId: sezA.id, diet: 'senza glutine' }, mariaApplicant, 'b', 'RSSX-SFA2-MZZ4');
				for (const { consumer, enrolment } of [luca, sofia]) {
					tx.insert(guardianLinks).values({ tenantId: t, userId: maria.id, consumerId: consumer.id, enrolmentId: enrolment.id, linkedBy: 'activation_code', createdAt: now }).run();
				}
				logins.push({ comune: 'Mazzè', role: 'guardian', email: maria.email!, note: 'genitore con due figli (Luca, primaria; Sofia, infanzia)' });

				enrol({ cf: 'FRRNNA18T45E379T', givenName: 'Anna', familyName: 'Ferrari', birthDate: '2018-12-05', classId: primaA.id }, { cf: 'FRRGNN82H15L219L', name: 'Giovanni Ferrari' }, 'a', DEMO_CODES.anna);
				activations.push({ comune: 'Mazzè', child: 'Anna Ferrari', applicant: 'Giovanni Ferrari', applicantFiscalCode: 'FRRGNN82H15L219L', code: DEMO_CODES.anna });

				addUser(t, 'operator', 'ufficio@mazze.example.it', 'Ufficio', 'Scuola Mazzè');
				logins.push({ comune: 'Mazzè', role: 'operator', email: 'ufficio@mazze.example.it', note: 'ufficio scuola del Comune' });
				addUser(t, 'school_staff', 'infanzia@mazze.example.it', 'Segreteria', 'Infanzia', {}, infanzia.id);
				logins.push({ comune: 'Mazzè', role: 'school_staff', email: 'infanzia@mazze.example.it', note: "personale della scuola dell'infanzia (iscrizioni delegate)" });
				addUser(t, 'kitchen', 'cucina@mazze.example.it', 'Cucina', 'Centro cottura');
				logins.push({ comune: 'Mazzè', role: 'kitchen', email: 'cucina@mazze.example.it', note: 'cucina: solo i conteggi dei pasti' });
			} else {
				school("Scuola dell'infanzia di Corsalone", 'infanzia', 'scuola');
				const primaria = school('Scuola primaria di Chiusi della Verna', 'primaria', 'comune');
				const secondaria = school('Scuola secondaria di I grado "Dante Alighieri"', 'secondaria', 'comune');
				const seconda = schoolClass(primaria.id, '2ª A');
				schoolClass(secondaria.id, '1ª A');
				enrol({ cf: 'BNCTMS19A01D612D', givenName: 'Tommaso', familyName: 'Bianchi', birthDate: '2019-01-01', classId: seconda.id }, { cf: 'BNCMRA79D10C663Z', name: 'Mario Bianchi' }, 'c', DEMO_CODES.tommaso);
				activations.push({ comune: 'Chiusi della Verna', child: 'Tommaso Bianchi', applicant: 'Mario Bianchi (SPID di test)', applicantFiscalCode: 'BNCMRA79D10C663Z', code: DEMO_CODES.tommaso });
				addUser(t, 'operator', 'ufficio@chiusi.example.it', 'Ufficio', 'Scuola Chiusi');
				logins.push({ comune: 'Chiusi della Verna', role: 'operator', email: 'ufficio@chiusi.example.it', note: 'ufficio scuola del Comune' });
			}
		}

		addUser(null, 'admin', 'admin@mensa-aperta.example', 'Amministratore', 'Piattaforma');
		logins.push({ comune: '— (piattaforma)', role: 'admin', email: 'admin@mensa-aperta.example', note: 'crea Comuni e operatori; accesso da /admin/login' });
	});
	return { logins, activations };
}

export function formatDemoSeed(seed: DemoSeed, origin: string): string {
	const lines = [
		`Dati dimostrativi caricati. Password di tutti gli account demo: ${DEMO_PASSWORD}`,
		`Il personale (ufficio, scuola, cucina, admin) chiede anche un codice: aggiungi a un’app di autenticazione la chiave ${DEMO_TOTP_SECRET}`,
		''
	];
	for (const l of seed.logins) lines.push(`  ${l.role.padEnd(12)} ${l.email.padEnd(30)} ${l.comune} — ${l.note}`);
	lines.push('', 'Codici di attivazione (per un genitore che si registra con il codice fiscale del richiedente):');
	for (const a of seed.activations) lines.push(`  ${a.code}  ${a.child}, ${a.comune}: richiedente ${a.applicant}, CF ${a.applicantFiscalCode}`);
	lines.push('', `Accesso: ${origin}/login/mazze · ${origin}/login/chiusi-della-verna · ${origin}/admin/login`);
	return lines.join('\n');
}
