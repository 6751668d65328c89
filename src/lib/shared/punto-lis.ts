/** How to top up at a Punto LIS: the same words on the card's page, its PDF and the offline copy. */
export const PUNTO_LIS_STEPS = [
	'Vai in una tabaccheria o in una ricevitoria con il servizio LIS (Punto LIS).',
	'Mostra questo codice QR all’esercente, dal telefono o stampato; se il lettore non funziona, detta il codice scritto sotto.',
	'Decidi tu l’importo della ricarica e comunicalo all’esercente, poi paga in contanti o con carta.',
	'Conserva lo scontrino: la ricarica compare nel saldo appena il circuito LIS la comunica al Comune.'
] as const;
