/** What `npm audit --json` answered, reduced to what CI decides on. */
export type AuditVerdict = { status: 'clean' | 'failed'; line: string; serious: string[] } | { status: 'unchecked'; line: string };

interface AuditReport {
	message?: string;
	metadata?: { vulnerabilities?: Record<'info' | 'low' | 'moderate' | 'high' | 'critical', number> };
	vulnerabilities?: Record<string, { name: string; severity: string }>;
}

/**
 * High or critical fails; an advisory service that cannot be reached (an offline mirror answers
 * 405) is said plainly and does not fail, so an outage never blocks a release by itself.
 */
export function auditVerdict(json: string): AuditVerdict {
	let report: AuditReport;
	try {
		report = JSON.parse(json) as AuditReport;
	} catch {
		return { status: 'unchecked', line: 'npm audit: no readable answer; dependency advisories NOT checked.' };
	}
	const counts = report.metadata?.vulnerabilities;
	if (!counts) return { status: 'unchecked', line: `npm audit: the advisory service could not be reached (${report.message ?? 'no details'}); dependency advisories NOT checked.` };
	const serious = Object.values(report.vulnerabilities ?? {})
		.filter((v) => v.severity === 'high' || v.severity === 'critical')
		.map((v) => `${v.name} (${v.severity})`);
	const line = `npm audit --omit=dev: ${counts.critical} critical, ${counts.high} high, ${counts.moderate} moderate, ${counts.low} low`;
	return { status: counts.high + counts.critical > 0 ? 'failed' : 'clean', line, serious };
}
