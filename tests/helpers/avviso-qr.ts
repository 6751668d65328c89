import jsQR from 'jsqr';
import { contentStreams } from './pdf-text.js';

/*
 * Reads back the QR code renderAvvisoPdf drew: the page's vector modules (3 pt squares after a
 * `3 0 0 3 0 0 cm` scale) become a grid, the grid black-on-white pixels, and jsQR decodes them,
 * as a PSP's scanner would.
 */

/** The QR modules the renderer drew (rectangles in module units after its scale), back to a grid. */
export function drawnQrGrid(pdf: Uint8Array): boolean[][] {
	const stream = contentStreams(pdf).find((s) => /\n3 0 0 3 0 0 cm\n/.test(s));
	if (!stream) throw new Error('no QR code drawn');
	const from = stream.indexOf('\n3 0 0 3 0 0 cm\n');
	const body = stream.slice(from, stream.indexOf('\nf\n', from));
	const runs = [...body.matchAll(/^(\d+) (\d+) (\d+) 1 re$/gm)].map((m) => m.slice(1, 4).map(Number));
	const size = Math.max(...runs.map(([col, row, width]) => Math.max(col + width, row + 1)));
	const grid = Array.from({ length: size }, () => Array<boolean>(size).fill(false));
	for (const [col, row, width] of runs) for (let c = col; c < col + width; c++) grid[row][c] = true;
	return grid;
}

/** The grid as black on white pixels with the quiet zone, for a real decoder to read. */
export function decodeQrGrid(grid: boolean[][]): string | undefined {
	const px = 4;
	const quiet = 4;
	const side = (grid.length + 2 * quiet) * px;
	const rgba = new Uint8ClampedArray(side * side * 4).fill(255);
	grid.forEach((cells, row) =>
		cells.forEach((dark, col) => {
			if (!dark) return;
			for (let y = 0; y < px; y++)
				for (let x = 0; x < px; x++) {
					const i = (((row + quiet) * px + y) * side + (col + quiet) * px + x) * 4;
					rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
				}
		})
	);
	return jsQR(rgba, side, side)?.data;
}

/** The text of the avviso's QR code, or undefined when no decoder could read it. */
export const avvisoQrText = (pdf: Uint8Array): string | undefined => decodeQrGrid(drawnQrGrid(pdf));
