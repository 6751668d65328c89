// CI's dependency check (`npm run audit`): no high or critical advisory in what production runs.
import { execFileSync } from 'node:child_process';
import { auditVerdict } from './audit-verdict.js';

let out: string;
try {
	out = execFileSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
} catch (e) {
	// npm audit exits non-zero when it finds anything; its JSON is on stdout all the same.
	out = String((e as { stdout?: string }).stdout ?? '');
}
const verdict = auditVerdict(out);
console.log(verdict.line);
if (verdict.status === 'failed') {
	console.log(verdict.serious.map((s) => `  ${s}`).join('\n'));
	process.exit(1);
}
