import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startTestSmtp, type TestSmtp } from './smtp.js';

export async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((r) => server.close(() => r()));
	return port;
}

export interface TestServer {
	url: string;
	dataDir: string;
	dbPath: string;
	smtp: TestSmtp;
	output: () => string;
	/** the running server process: to signal it, or to read how it exited */
	process: () => ChildProcess;
	/** stops the process and keeps its data, as a server that went down */
	halt(): Promise<void>;
	/** kills the process with SIGKILL, as a power cut or the OOM killer would: no shutdown code runs, data kept */
	crash(): Promise<void>;
	/** starts it again on the same port and data (after halt(), or stopping it first); env overrides for the new process */
	restart(env?: Record<string, string>): Promise<void>;
	/** stops it for good and deletes its data */
	stop(): Promise<void>;
}

/** Monday 23 November 2026, 12:00 in Rome: the test server's clock at start; the tests' dates are written against this week. */
export const TEST_NOW = '2026-11-23T11:00:00Z';

/**
 * The first Thursday at least three days after TEST_NOW, outside the Christmas closure: a service
 * day for every demo school. From TEST_NOW and not the machine's date, so that a test setting the
 * server's clock to it does not run out of school year.
 */
export function serviceThursday(): string {
	const day = new Date(TEST_NOW);
	day.setUTCHours(0, 0, 0, 0);
	day.setUTCDate(day.getUTCDate() + 3);
	while (day.getUTCDay() !== 4 || day.toISOString().slice(5, 10) >= '12-18' || day.toISOString().slice(5, 10) <= '01-09') day.setUTCDate(day.getUTCDate() + 1);
	return day.toISOString().slice(0, 10);
}

/**
 * The production build (`npm test` builds it first) as a real process on a free port, with its
 * own SQLite file, the demo seed, the embedded SPID/CIE test provider and a real SMTP server.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
	const smtp = await startTestSmtp();
	const dataDir = mkdtempSync(join(tmpdir(), 'mensa-test-'));
	let port = await freePort();
	let log = '';
	let child: ChildProcess | null = null;

	// Started the way `npm start` starts it (server/serve.js), ORIGIN left to its default.
	async function spawnServer(overrides: Record<string, string>) {
		const next = spawn(process.execPath, [resolve('server/serve.js')], {
			env: {
				PATH: process.env.PATH,
				PORT: String(port),
				HOST: '127.0.0.1',
				BUILD_DIR: process.env.TEST_BUILD_DIR ?? 'build-test',
				DATA_DIR: dataDir,
				SMTP_URL: smtp.url,
				OIDC_DEV_PORT: '0',
				MENSA_TEST_CLOCK: '1',
				MENSA_TEST_NOW: TEST_NOW,
				// The tests' dates assume an untouched school year; the demo history has its own test.
				SEED_HISTORY: 'off',
				...env,
				...overrides
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		child = next;
		// A restart's log follows the first one's: only its own lines say whether it started.
		const from = log.length;
		await new Promise<void>((resolveStart, reject) => {
			const onData = (chunk: Buffer) => {
				log += chunk.toString();
				if (log.slice(from).includes('Listening on')) resolveStart();
			};
			next.stdout!.on('data', onData);
			next.stderr!.on('data', onData);
			next.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${log}`)));
			setTimeout(() => reject(new Error(`server did not start in 30 s:\n${log}`)), 30_000);
		});
	}

	// A process killed by a signal keeps exitCode null: signalCode says it is gone too.
	async function stopWith(signal: NodeJS.Signals) {
		if (child && child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((r) => child!.once('exit', r));
			child.kill(signal);
			await exited;
		}
	}
	const halt = () => stopWith('SIGTERM');

	// Another process can take the free port between freePort() and the server's listen (an outgoing
	// connection's ephemeral port): a first start that meets EADDRINUSE tries another port.
	for (let attempt = 1; ; attempt++) {
		try {
			await spawnServer({});
			break;
		} catch (error) {
			if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
			port = await freePort();
		}
	}
	return {
		url: `http://localhost:${port}`,
		dataDir,
		dbPath: join(dataDir, 'mensa.db'),
		smtp,
		output: () => log,
		process: () => child!,
		halt,
		crash: () => stopWith('SIGKILL'),
		async restart(overrides = {}) {
			await halt();
			await spawnServer(overrides);
		},
		async stop() {
			await halt();
			await smtp.close();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
