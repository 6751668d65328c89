import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const NGINX = '/usr/sbin/nginx';

/**
 * The shipped site (docs/deploy/nginx.conf) made to run on loopback: the port-80 redirect server
 * dropped, TLS swapped for a plain `listen 127.0.0.1:<port>`, the upstream pointed at the app's
 * port, the log written to `logDir`. Everything else — headers, gzip, limits, locations, the log
 * format — is the file an operator installs.
 */
export function siteForTest(shipped: string, listenPort: number, appPort: number, logDir: string): string {
	const servers = shipped.split(/^server \{$/m);
	if (servers.length !== 3) throw new Error('docs/deploy/nginx.conf: expected an upstream, the port-80 server and the TLS server');
	const tls = `server {${servers[2]}`
		.replace(/^\s*listen [^\n]*443[^\n]*\n/gm, '')
		.replace(/^\s*ssl_[^\n]*\n/gm, '')
		.replace(/^(\s*)server_name [^\n]*$/m, `$1listen 127.0.0.1:${listenPort};\n$&`)
		.replaceAll('/var/log/nginx/', `${logDir}/`);
	const upstream = servers[0].replace(/server 127\.0\.0\.1:3000;/, `server 127.0.0.1:${appPort};`);
	if (upstream === servers[0] || tls.includes('ssl')) throw new Error('docs/deploy/nginx.conf changed shape: update siteForTest');
	return `${upstream}${tls}`;
}

export interface TestNginx {
	url: string;
	/** the site's access log so far */
	accessLog(): string;
	stop(): Promise<void>;
}

/** Debian's nginx as a foreground child process, all its files in a temp directory. */
export async function startNginx(listenPort: number, appPort: number): Promise<TestNginx> {
	if (spawnSync(NGINX, ['-v']).error) throw new Error(`${NGINX} not found: install Debian's nginx (apt-get install -y nginx); .ci/run does`);
	const dir = mkdtempSync(join(tmpdir(), 'mensa-nginx-'));
	for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
	const site = siteForTest(readFileSync(resolve('docs/deploy/nginx.conf'), 'utf8'), listenPort, appPort, dir);
	const conf = join(dir, 'nginx.conf');
	writeFileSync(
		conf,
		[
			// As root nginx would hand its workers to nobody, who cannot enter a 0700 temp directory.
			process.getuid?.() === 0 ? 'user root;' : '',
			'worker_processes 1;',
			'events { worker_connections 64; }',
			'http {',
			...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, t === 'client_body' ? 'body' : t)};`),
			site,
			'}'
		].join('\n')
	);
	let log = '';
	const child: ChildProcess = spawn(NGINX, ['-p', dir, '-e', 'stderr', '-c', conf, '-g', `daemon off; pid ${join(dir, 'nginx.pid')};`], { stdio: ['ignore', 'pipe', 'pipe'] });
	child.stdout!.on('data', (c: Buffer) => (log += c));
	child.stderr!.on('data', (c: Buffer) => (log += c));
	const exited = new Promise((r) => child.once('exit', r));
	const deadline = Date.now() + 10_000;
	while (!(await accepts(listenPort))) {
		if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start:\n${log}`);
		await new Promise((r) => setTimeout(r, 50));
	}
	return {
		url: `http://127.0.0.1:${listenPort}`,
		accessLog: () => readFileSync(join(dir, 'mensa-aperta.access.log'), 'utf8'),
		async stop() {
			if (child.exitCode === null) child.kill('SIGQUIT');
			await exited;
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

const accepts = (port: number) =>
	new Promise<boolean>((done) => {
		const socket = connect(port, '127.0.0.1', () => {
			socket.destroy();
			done(true);
		});
		socket.once('error', () => done(false));
	});
