import type { MailMessage } from './mailer.js';

interface TenantLike {
	name: string;
}

const signature = (tenant: TenantLike) => `\n\n—\n${tenant.name === 'Mensa Aperta' ? '' : `Comune di ${tenant.name} · servizi scolastici\n`}Mensa Aperta`;

export function verifyEmailMessage(tenant: TenantLike, to: string, link: string): MailMessage {
	return {
		to,
		subject: `Conferma il tuo indirizzo e-mail — Comune di ${tenant.name}`,
		text:
			`Ciao,\n\nper completare la registrazione ai servizi scolastici del Comune di ${tenant.name} ` +
			`apri questo link entro 24 ore:\n\n${link}\n\n` +
			`Se non hai chiesto tu la registrazione, ignora questo messaggio.` +
			signature(tenant)
	};
}

export function alreadyRegisteredMessage(tenant: TenantLike, to: string, loginLink: string, resetLink: string): MailMessage {
	return {
		to,
		subject: `Hai già un account — Comune di ${tenant.name}`,
		text:
			`Ciao,\n\nqualcuno (forse tu) ha provato a registrarsi con questo indirizzo, che ha già un account.\n\n` +
			`Accedi qui: ${loginLink}\nHai dimenticato la password? ${resetLink}\n\n` +
			`Se non sei stato tu, non devi fare nulla.` +
			signature(tenant)
	};
}

export function resetPasswordMessage(tenant: TenantLike, to: string, link: string): MailMessage {
	return {
		to,
		subject: `Reimposta la password — Comune di ${tenant.name}`,
		text:
			`Ciao,\n\nper scegliere una nuova password apri questo link entro un'ora. Il link vale una sola volta.\n\n${link}\n\n` +
			`Se non l'hai chiesto tu, ignora questo messaggio: la tua password resta la stessa.` +
			signature(tenant)
	};
}

export function avvisoMessage(
	tenant: TenantLike,
	to: string,
	avviso: { noticeNumber: string; noticeNumberFormatted: string; subject: string; amount: string; dueDate: string; pdf: Uint8Array }
): MailMessage {
	return {
		to,
		subject: `Avviso di pagamento ${avviso.noticeNumberFormatted} — Comune di ${tenant.name}`,
		text:
			`Ciao,\n\nin allegato l'avviso di pagamento pagoPA che hai generato:\n\n` +
			`${avviso.subject}\nImporto: ${avviso.amount}\nDa pagare entro il ${avviso.dueDate}\nCodice avviso: ${avviso.noticeNumberFormatted}\n\n` +
			`Puoi pagarlo in tabaccheria, in banca, all'ufficio postale o online: basta il codice QR o il codice avviso. ` +
			`La ricarica arriva sul saldo quando pagoPA ci conferma il pagamento.` +
			signature(tenant),
		attachments: [{ filename: `avviso-${avviso.noticeNumber}.pdf`, content: Buffer.from(avviso.pdf), contentType: 'application/pdf' }]
	};
}
