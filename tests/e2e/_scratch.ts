import { startTestServer } from '../helpers/server.js';
import { launchBrowser, phoneContext, gotoHydrated } from '../helpers/browser.js';
const server = await startTestServer();
const browser = await launchBrowser();
try {
  const ctx = await phoneContext(browser, server.url);
  const page = await ctx.newPage();
  await gotoHydrated(page, '/login/mazze/registrati');
  const styles = await page.evaluate(() => ['givenName','codiceFiscale','email','password'].map((id) => {
    const el = document.getElementById(id)!; const cs = getComputedStyle(el);
    return { id, type: el.getAttribute('type'), borderBottom: cs.borderBottom, borderTop: cs.borderTop, padding: cs.padding, bg: cs.backgroundColor, height: cs.height };
  }));
  console.log(styles);
  // try short realistic email after sending
  for (const email of ['giovanni.ferrari@example.com', 'g.ferrari@example.com']) {
    await gotoHydrated(page, '/login/mazze/registrati');
    await page.fill('#givenName', 'Giovanni'); await page.fill('#familyName', 'Ferrari'); await page.fill('#codiceFiscale', 'FRRGNN82H15L219L');
    await page.fill('#email', email); await page.fill('#password', 'Refezione-Mazzè-42'); await page.click('label[for=privacy]');
    await page.getByRole('button', { name: 'Registrati' }).click();
    await page.getByText('Controlla la posta').waitFor();
    console.log(email, await page.evaluate(() => document.documentElement.scrollWidth));
  }
  await ctx.close();
  const c2 = await browser.newContext({ baseURL: server.url, viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
  const p2 = await c2.newPage();
  await gotoHydrated(p2, '/login/mazze/registrati');
  await p2.screenshot({ path: '/tmp/e2e-zoom-registrati.png', clip: { x: 0, y: 240, width: 360, height: 300 } });
} finally { await browser.close(); await server.stop(); }
