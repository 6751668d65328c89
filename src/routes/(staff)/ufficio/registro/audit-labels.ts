/** The registro's actions in the operator's words; an action not listed here shows its code. */
export const auditActionLabels: Record<string, string> = {
	'session.login': 'Accesso',
	'user.register': 'Registrazione di un genitore',
	'user.create': 'Nuovo utente (SPID/CIE)',
	'user.profile_update': 'Modifica del profilo',
	'user.password_change': 'Cambio password',
	'user.password_reset': 'Password reimpostata',
	'user.link_identity': 'SPID/CIE collegato all’account',
	'guardian.link': 'Genitore collegato a un alunno',
	'consumer.diet_label': 'Dieta speciale',
	'meals.correct': 'Correzione dopo l’orario limite',
	'calendar.set': 'Calendario di una scuola',
	'calendar.closure_add': 'Chiusura aggiunta',
	'calendar.closure_remove': 'Chiusura tolta',
	'payments.counter_topup': 'Ricarica allo sportello',
	'payments.balance_migration': 'Saldi iniziali importati',
	'debtors.remind': 'Solleciti inviati',
	'debtors.reminder_template': 'Testo del sollecito',
	'diet.read': 'Dieta speciale consultata',
	'privacy.export': 'Dati scaricati dal genitore',
	'privacy.anonymise': 'Famiglia anonimizzata'
};

export const actionLabel = (action: string) => auditActionLabels[action] ?? action;
