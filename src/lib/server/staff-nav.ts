import type { Role } from '$server/db/schema';

export interface NavLink {
	href: string;
	label: string;
}

/**
 * The back-office menu follows the most capable role, like the landing page after login: the
 * kitchen sees its report and nothing else.
 */
export function staffNav(roles: readonly { role: Role }[]): NavLink[] {
	const has = (role: Role) => roles.some((r) => r.role === role);
	if (has('admin')) return [{ href: '/admin', label: 'Comuni' }];
	if (has('operator')) {
		return [
			{ href: '/ufficio', label: 'Ufficio scuola' },
			{ href: '/ufficio/scuole', label: 'Scuole' },
			{ href: '/ufficio/consumatori', label: 'Alunni' },
			{ href: '/ufficio/calendario', label: 'Calendario' },
			{ href: '/ufficio/tariffe', label: 'Tariffe' },
			{ href: '/ufficio/correzioni', label: 'Correzioni' },
			{ href: '/ufficio/pagamenti', label: 'Pagamenti' },
			{ href: '/ufficio/saldi', label: 'Gestione saldi' },
			{ href: '/ufficio/importa', label: 'Importa iscrizioni' },
			{ href: '/ufficio/esporta', label: 'Esporta dati' },
			{ href: '/ufficio/impostazioni-pagamenti', label: 'Pausa pagamenti' },
			{ href: '/ufficio/morosi', label: 'Morosi' },
			{ href: '/ufficio/cruscotto', label: 'Cruscotto' },
			{ href: '/ufficio/registro', label: 'Registro' },
			{ href: '/cucina', label: 'Pasti del giorno' }
		];
	}
	if (has('school_staff')) {
		return [
			{ href: '/scuola', label: 'Segreteria' },
			{ href: '/ufficio/consumatori', label: 'Alunni' },
			{ href: '/scuola/correzioni', label: 'Correzioni' },
			{ href: '/cucina', label: 'Pasti del giorno' }
		];
	}
	return [{ href: '/cucina', label: 'Pasti del giorno' }];
}
