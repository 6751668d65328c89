import QRCode from 'qrcode';

/** A QR code drawn on the server as SVG, black on white with its quiet zone: a Punto LIS card, an authenticator's key. */
export function qrSvg(text: string): Promise<string> {
	return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 4, color: { dark: '#000000', light: '#ffffff' } });
}
