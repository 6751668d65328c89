import { describe, expect, it } from 'vitest';
import { auditVerdict } from './audit-verdict.js';

const counts = (high: number, critical: number) => ({ info: 0, low: 2, moderate: 1, high, critical, total: 3 + high + critical });

describe('npm audit verdict', () => {
	it('fails on a high or critical advisory and names the package', () => {
		const v = auditVerdict(JSON.stringify({ metadata: { vulnerabilities: counts(1, 0) }, vulnerabilities: { pdfkit: { name: 'pdfkit', severity: 'high' }, qs: { name: 'qs', severity: 'low' } } }));
		expect(v).toEqual({ status: 'failed', line: 'npm audit --omit=dev: 0 critical, 1 high, 1 moderate, 2 low', serious: ['pdfkit (high)'] });
		expect(auditVerdict(JSON.stringify({ metadata: { vulnerabilities: counts(0, 2) }, vulnerabilities: {} })).status).toBe('failed');
	});

	it('passes with only low and moderate ones', () => {
		expect(auditVerdict(JSON.stringify({ metadata: { vulnerabilities: counts(0, 0) }, vulnerabilities: {} })).status).toBe('clean');
	});

	it('says plainly when the advisory service could not be asked', () => {
		expect(auditVerdict(JSON.stringify({ message: '405 Method Not Allowed', statusCode: 405 }))).toEqual({
			status: 'unchecked',
			line: 'npm audit: the advisory service could not be reached (405 Method Not Allowed); dependency advisories NOT checked.'
		});
		expect(auditVerdict('').status).toBe('unchecked');
	});
});
