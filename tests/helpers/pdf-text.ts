import { inflateSync } from 'node:zlib';

/*
 * The text a PDF made by pdfkit with the standard fonts shows: its content streams inflated, and
 * the WinAnsi hex strings of each text object decoded. Enough to assert what a reader would see,
 * with no PDF library in the tests.
 */

/** The page content streams of a PDF, inflated: what the renderer actually drew. */
export function contentStreams(pdf: Uint8Array): string[] {
	const text = Buffer.from(pdf).toString('latin1');
	const streams: string[] = [];
	const start = /<<([^]*?)>>\s*stream\r?\n/g;
	for (let m = start.exec(text); m; m = start.exec(text)) {
		const from = m.index + m[0].length;
		const raw = Buffer.from(text.slice(from, text.indexOf('endstream', from)), 'latin1');
		streams.push((/\/FlateDecode/.test(m[1]) ? inflateSync(raw) : raw).toString('latin1'));
	}
	return streams;
}

// WinAnsi bytes 0x80–0x9f that differ from Latin-1, as the standard fonts print them.
const WIN_ANSI_HIGH: Record<number, string> = { 0x80: '€', 0x85: '…', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—' };

/** Each text object (BT … ET) of one stream as one line. */
function streamText(stream: string): string[] {
	return [...stream.matchAll(/BT[^]*?ET/g)].map(([block]) => {
		const hex = [...block.matchAll(/<([0-9a-fA-F]*)>/g)].map((m) => m[1]).join('');
		return [...Buffer.from(hex, 'hex')].map((b) => WIN_ANSI_HIGH[b] ?? String.fromCharCode(b)).join('');
	});
}

/** All the text of the PDF, one text object a line. */
export function pdfText(pdf: Uint8Array): string {
	return contentStreams(pdf).flatMap(streamText).join('\n');
}

/** The text of each page that has any, in order (pdfkit writes one content stream per page). */
export function pdfPages(pdf: Uint8Array): string[] {
	return contentStreams(pdf)
		.map((s) => streamText(s).join('\n'))
		.filter((t) => t.length > 0);
}
