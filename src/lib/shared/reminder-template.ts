/*
 * The sollecito e-mail of a Comune: plain text with {segnaposto}. Shared by the page (which shows
 * the template's problems next to the field) and the server (which renders each e-mail). "{{" and
 * "}}" write a brace; anything else in braces must be a known placeholder.
 */

export const reminderPlaceholders = {
	nome_genitore: 'nome del genitore',
	nome_figlio: 'nome e cognome dell’alunno',
	gruppo: 'servizio (es. Refezione)',
	importo: 'importo del debito (es. 12,50 €)',
	giorni: 'giorni di saldo negativo',
	dal: 'data da cui il saldo è negativo',
	comune: 'nome del Comune',
	contatti: 'ufficio, telefono ed e-mail del Comune',
	link_ricarica: 'indirizzo della pagina Ricarica'
} as const;
export type ReminderPlaceholder = keyof typeof reminderPlaceholders;
export type ReminderValues = Record<ReminderPlaceholder, string>;

export const DEFAULT_REMINDER_TEMPLATE = `Gentile {nome_genitore},

il saldo del servizio {gruppo} di {nome_figlio} è negativo dal {dal}: mancano {importo}.

La invitiamo a ricaricare al più presto: dall’app, con pagoPA o con un avviso di pagamento ({link_ricarica}), in un Punto LIS oppure allo sportello dell’ufficio scuola.

Se ha già provveduto, non tenga conto di questo messaggio.

Per ulteriori chiarimenti: {contatti}

Cordiali saluti
Comune di {comune} — servizi scolastici`;

// The default is a third of this; longer is a letter, not a reminder.
export const MAX_TEMPLATE_LENGTH = 2000;

const TOKEN = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;

/** What is wrong with a template, in the operator's words; null when it can be used. */
export function templateProblem(template: string): string | null {
	for (const m of template.matchAll(TOKEN)) {
		const [whole, name] = m;
		if (whole === '{{' || whole === '}}') continue;
		if (name === undefined) return 'Parentesi graffa senza chiusura: per scrivere { o } usa {{ o }}.';
		if (!Object.hasOwn(reminderPlaceholders, name)) return `Segnaposto sconosciuto: {${name}}. Quelli disponibili: ${Object.keys(reminderPlaceholders).map((k) => `{${k}}`).join(', ')}.`;
	}
	return null;
}

/** One pass: a value that itself contains "{importo}" (a child's name, say) is written as it is. */
export function renderTemplate(template: string, values: ReminderValues): string {
	return template.replace(TOKEN, (whole, name: string | undefined) => {
		if (whole === '{{') return '{';
		if (whole === '}}') return '}';
		return name !== undefined && Object.hasOwn(values, name) ? values[name as ReminderPlaceholder] : whole;
	});
}
