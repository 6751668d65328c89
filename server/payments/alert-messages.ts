import type { MailMessage } from '../mail/mailer.js';

interface TenantLike {
	name: string;
}
interface Recipient {
	givenName: string;
	email: string;
}

/** The closing lines of every e-mail the Comune's service sends. */
export const signature = (tenant: TenantLike) => `\n\n—\nComune di ${tenant.name} · servizi scolastici\nMensa Aperta`;

export function lowBalanceMessage(
	tenant: TenantLike,
	to: Recipient,
	a: { child: string; group: string; balance: string; negative: boolean; link: string }
): MailMessage {
	const state = a.negative ? 'è negativo' : 'sta per finire';
	return {
		to: to.email,
		subject: `Saldo ${a.group} di ${a.child} ${state} — Comune di ${tenant.name}`,
		text:
			`Ciao ${to.givenName},\n\nil saldo ${a.group} di ${a.child} ${state}: ${a.balance}.\n` +
			(a.negative ? 'I pasti continuano a essere serviti, ma il debito va saldato con una ricarica.\n' : 'Ricarica per coprire i prossimi pasti.\n') +
			`\nRicarica qui: ${a.link}\n\nPuoi cambiare la soglia o non ricevere più questi avvisi in Impostazioni.` +
			signature(tenant)
	};
}

export function creditedMessage(tenant: TenantLike, to: Recipient, lines: string[], link: string): MailMessage {
	return {
		to: to.email,
		subject: `Ricarica accreditata — Comune di ${tenant.name}`,
		text: `Ciao ${to.givenName},\n\nla ricarica è stata accreditata:\n\n${lines.map((l) => `• ${l}`).join('\n')}\n\nSaldo ed estratto conto: ${link}` + signature(tenant)
	};
}
