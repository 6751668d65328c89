import { LOGO_MAX_BYTES } from '../../src/lib/shared/setup-schemas.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type LogoCheck = { status: 'ok'; dataUrl: string } | { status: 'rejected'; message: string };

/**
 * The type comes from the file's own bytes, not from its name or the browser's label. An SVG is
 * shown through <img> and embedded in letters, where a script would never run, but one that
 * carries scripts or external references is refused all the same: it is not a plain logo.
 */
export function checkLogo(dataUrl: string): LogoCheck {
	const base64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
	const bytes = Buffer.from(base64, 'base64');
	if (bytes.length === 0) return { status: 'rejected', message: 'Logo: il file è vuoto' };
	if (bytes.length > LOGO_MAX_BYTES) return { status: 'rejected', message: 'Logo: al massimo 100 KB' };
	if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return { status: 'ok', dataUrl: `data:image/png;base64,${bytes.toString('base64')}` };
	const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
	const head = text.replace(/^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*/i, '');
	if (/^<svg[\s>]/i.test(head)) {
		if (/<script|<foreignObject|\son\w+\s*=|javascript:|(?:xlink:)?href\s*=\s*["']\s*(?:https?:|\/\/)/i.test(text)) {
			return { status: 'rejected', message: 'Logo: l’SVG contiene script o collegamenti esterni; esportalo come immagine semplice' };
		}
		return { status: 'ok', dataUrl: `data:image/svg+xml;base64,${bytes.toString('base64')}` };
	}
	return { status: 'rejected', message: 'Logo: il file non è un’immagine PNG o SVG' };
}
