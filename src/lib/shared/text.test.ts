import { describe, expect, it } from 'vitest';
import { foldForSearch } from './text.js';

describe('foldForSearch', () => {
	it('removes case and accents', () => {
		expect(foldForSearch('Mazzè')).toBe('mazze');
		expect(foldForSearch('MAZZÈ')).toBe('mazze');
		expect(foldForSearch('MAZZE')).toBe('mazze');
		expect(foldForSearch('Città di Castello')).toBe('citta di castello');
		expect(foldForSearch('Forlì')).toBe('forli');
	});

	it('folds precomposed and decomposed accents alike', () => {
		const precomposed = 'Mazz\u00e8';
		const decomposed = 'Mazze\u0300';
		expect(precomposed).not.toBe(decomposed);
		expect(foldForSearch(precomposed)).toBe(foldForSearch(decomposed));
	});

	it('turns apostrophes into spaces and collapses white space', () => {
		expect(foldForSearch("Sant'Agata")).toBe('sant agata');
		expect(foldForSearch('Sant’Angelo Lodigiano')).toBe('sant angelo lodigiano');
		expect(foldForSearch('  Chiusi   della\tVerna  ')).toBe('chiusi della verna');
	});

	it('gives empty text for blank input', () => {
		expect(foldForSearch('')).toBe('');
		expect(foldForSearch('   ')).toBe('');
	});

	it('keeps SQL wildcard characters (escaping is the query’s job)', () => {
		expect(foldForSearch('%_%')).toBe('%_%');
	});
});
