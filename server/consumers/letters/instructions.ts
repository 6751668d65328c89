import type { Tenant } from '../../tenants/tenants.js';
import type { LetterComune } from './letter-pdf.js';

/** What the letter says when the Comune wrote nothing of its own (tenants.letter_instructions). */
export function defaultLetterInstructions(t: { loginUrl: string; spid: boolean; cie: boolean; passwordLogin: boolean }): string {
	const eid = [t.spid && 'SPID', t.cie && 'CIE'].filter(Boolean).join(' o ');
	const steps = [`Apri ${t.loginUrl} dal telefono o dal computer.`];
	if (eid) steps.push(`Entra con ${eid}: se sei tu ad aver presentato la domanda, i tuoi figli compaiono da soli e il codice non serve.`);
	if (t.passwordLogin) {
		steps.push(
			`${eid ? 'Oppure scegli' : 'Scegli'} «Registrati» e crea il tuo account con e-mail e password, indicando il tuo codice fiscale (lo stesso della domanda di iscrizione). Conferma l’indirizzo con il link che ricevi per e-mail, poi accedi.`,
			'Nella Home, in «Collega un figlio con il codice di attivazione», scrivi il codice di questa lettera e premi «Collega».'
		);
	}
	steps.push('Il codice vale solo per chi ha presentato la domanda: non darlo ad altri. Se lo perdi, chiedi all’ufficio una nuova lettera: il codice precedente smetterà di valere.');
	return steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
}

/** The Comune as its letters show it: its own instructions, or the default ones for its login page. */
export function letterComuneOf(tenant: Tenant, origin: string): LetterComune {
	const loginUrl = `${origin}/login/${tenant.slug}`;
	return {
		name: tenant.name,
		logoDataUrl: tenant.logoDataUrl,
		instructions: tenant.letterInstructions.trim() || defaultLetterInstructions({ loginUrl, spid: tenant.spidEnabled, cie: tenant.cieEnabled, passwordLogin: tenant.passwordLoginEnabled }),
		contacts: { office: tenant.contactOffice, name: tenant.contactName, phone: tenant.contactPhone, email: tenant.contactEmail }
	};
}
