import { expect } from 'vitest';
import { ConfigError } from '../../server/config.js';

/** The message of the ConfigError `run` stops with; a test failure if it does not. */
export function configRefusal(run: () => unknown): string {
	try {
		run();
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as Error).message;
	}
	throw new Error('expected the configuration to be refused');
}
