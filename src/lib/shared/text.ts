/** Folds case and accents so that "MAZZE" and "maz" both find "Mazzè". */
export function foldForSearch(text: string): string {
	return text
		.normalize('NFD')
		.replace(/\p{Diacritic}/gu, '')
		.replace(/[’'`]/g, ' ')
		.toLowerCase()
		.replace(/\s+/g, ' ')
		.trim();
}
