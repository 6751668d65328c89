import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { phoneSession } from '../helpers/e2e.js';
import { loginOnPage } from '../helpers/pwa.js';
import { axeViolations, formatViolations } from '../helpers/browser.js';
import { pdfText } from '../helpers/pdf-text.js';

/* Maria, on her phone, finds "I tuoi dati" on Profilo and downloads them as PDF and as JSON. */

const s = phoneSession();

describe('I tuoi dati on Profilo', () => {
	it('downloads a PDF and a JSON file of her family', async () => {
		await loginOnPage(s.page, 'maria.rossi@example.com');
		await s.page.getByRole('link', { name: 'Profilo' }).click();
		await s.page.waitForURL('**/profilo');
		const section = s.page.getByRole('region', { name: 'I tuoi dati' });
		await expect.poll(() => section.textContent()).toContain('iscrizioni, giorni segnati, pasti');
		const violations = (await axeViolations(s.page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
		expect(violations.map((v) => v.id), formatViolations(violations)).toEqual([]);

		const [pdf] = await Promise.all([s.page.waitForEvent('download'), section.getByRole('link', { name: 'Scarica i tuoi dati (PDF)' }).click()]);
		expect(pdf.suggestedFilename()).toBe('mensa-aperta-dati-mazze.pdf');
		const text = pdfText(new Uint8Array(readFileSync((await pdf.path())!)));
		for (const seen of ['Maria Rossi', 'Luca Rossi', 'Sofia Rossi', 'senza glutine']) expect(text).toContain(seen);

		const [json] = await Promise.all([s.page.waitForEvent('download'), section.getByRole('link', { name: 'Scarica i tuoi dati (JSON)' }).click()]);
		expect(json.suggestedFilename()).toBe('mensa-aperta-dati-mazze.json');
		const data = JSON.parse(readFileSync((await json.path())!, 'utf8'));
		expect(data.children.map((c: { givenName: string }) => c.givenName)).toEqual(['Luca', 'Sofia']);
		expect(s.problems).toEqual([]);
	});
});
