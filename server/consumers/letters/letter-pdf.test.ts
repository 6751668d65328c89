import { describe, expect, it } from 'vitest';
import { pdfPages, pdfText } from '../../../tests/helpers/pdf-text.js';
import { renderLettersPdf, type LetterComune } from './letter-pdf.js';
import { defaultLetterInstructions } from './instructions.js';
import type { FamilyLetter } from './issue.js';

const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const comune: LetterComune = {
	name: 'Mazzè',
	logoDataUrl: '',
	instructions: defaultLetterInstructions({ loginUrl: 'https://mensa.example.it/login/mazze', spid: false, cie: false, passwordLogin: true }),
	contacts: { office: 'Ufficio scolastico', name: '', phone: '011/9835901 int.1', email: 'scuola@mazze.example.it' }
};
const child = (name: string, code: string) => ({ enrolmentId: 1, name, codiceFiscale: 'RSSLCU17E04E379I', school: 'Scuola primaria "Gianni Rodari"', schoolClass: '3ª B', service: 'Mensa', year: '2026/27', code });
const rossi: FamilyLetter = { applicantFiscalCode: 'RSSMRA85C52L219F', applicantName: 'Maria Rossi', children: [child('Luca Rossi', 'ABCD-EFGH-JKMN'), child('Sofia Rossi', 'PQRS-TUVW-XYZ2')] };
const ferrari: FamilyLetter = { applicantFiscalCode: 'FRRGNN82H15L219L', applicantName: 'Giovanni Ferrari', children: [child('Anna Ferrari', 'MZZ7-K4PQ-2RTA')] };

describe('renderLettersPdf', () => {
	it('puts each family on its own page with its children, codes, instructions and contacts', async () => {
		const pages = pdfPages(await renderLettersPdf(comune, [rossi, ferrari]));
		expect(pages).toHaveLength(2);
		const [first, second] = pages;
		for (const text of ['Comune di Mazzè', 'Alla cortese attenzione di Maria Rossi', 'Luca Rossi', 'Sofia Rossi', 'ABCD-EFGH-JKMN', 'PQRS-TUVW-XYZ2', 'classe 3ª B', 'Mensa, anno scolastico 2026/27']) {
			expect(first).toContain(text);
		}
		expect(first.replace(/\n/g, ' ')).toContain('Apri https://mensa.example.it/login/mazze dal telefono o dal computer.');
		expect(first).toContain('Collega un figlio con il codice di attivazione');
		expect(first).toContain('Tel. 011/9835901 int.1');
		expect(first).not.toContain('MZZ7-K4PQ-2RTA');
		expect(second).toContain('MZZ7-K4PQ-2RTA');
		expect(second).not.toContain('Luca Rossi');
	});

	it('prints the Comune’s own instructions, with its logo when it is a PNG, and without one it cannot draw', async () => {
		const own = { ...comune, instructions: 'Ritira il modulo in Comune.\nPorta un documento.', logoDataUrl: PNG };
		const text = pdfText(await renderLettersPdf(own, [ferrari]));
		expect(text).toContain('Ritira il modulo in Comune.');
		expect(text).not.toContain('Registrati');
		const svg = pdfText(await renderLettersPdf({ ...own, logoDataUrl: 'data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=' }, [ferrari]));
		expect(svg).toContain('MZZ7-K4PQ-2RTA');
	});

	it('the default instructions follow the login methods of the Comune', () => {
		const spidOnly = defaultLetterInstructions({ loginUrl: 'x', spid: true, cie: true, passwordLogin: false });
		expect(spidOnly).toContain('Entra con SPID o CIE');
		expect(spidOnly).not.toContain('Registrati');
	});
});
