/*
 * Renders the PWA icons (static/icons/*.png) from static/favicon.svg in headless Chromium, once:
 * the PNGs are committed, so neither the build nor the server needs a renderer.
 * Run: npx tsx scripts/render-icons.ts
 *
 * "any" icons keep the favicon's rounded square; the maskable and Apple icons are full-bleed
 * (the platform crops them) with the glyph inside the central 80 % safe zone.
 */
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH } from '../tests/helpers/browser.js';

const svg = readFileSync('static/favicon.svg', 'utf8');
const BLUE = '#0066cc';

const icons = [
	{ file: 'icon-192.png', size: 192, bleed: false },
	{ file: 'icon-512.png', size: 512, bleed: false },
	{ file: 'icon-maskable-512.png', size: 512, bleed: true },
	{ file: 'apple-touch-icon-180.png', size: 180, bleed: true }
];

function html(size: number, bleed: boolean): string {
	// Full-bleed: a plain square background and the whole favicon shrunk to 80 %: the glyph (the middle ~55 % of the favicon) stays inside the safe-zone circle.
	const inner = bleed ? Math.round(size * 0.8) : size;
	const background = bleed ? BLUE : 'transparent';
	const image = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
	return `<!doctype html><html><body style="margin:0;width:${size}px;height:${size}px;background:${background};display:grid;place-items:center">
<img src="${image}" width="${inner}" height="${inner}" alt=""></body></html>`;
}

const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
	for (const { file, size, bleed } of icons) {
		const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
		await page.setContent(html(size, bleed));
		await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
		await page.screenshot({ path: `static/icons/${file}`, omitBackground: !bleed });
		await page.close();
		console.log(`static/icons/${file} (${size}×${size})`);
	}
} finally {
	await browser.close();
}
