import { CART_MAX_LINES, type CartLineInput } from '$lib/shared/payments-schemas';

export type CartItem = CartLineInput;

const sameAccount = (a: Pick<CartItem, 'consumerId' | 'serviceGroupId'>, b: Pick<CartItem, 'consumerId' | 'serviceGroupId'>) =>
	a.consumerId === b.consumerId && a.serviceGroupId === b.serviceGroupId;

/**
 * The cart lives in this tab's sessionStorage: it survives a reload or a look at the informativa,
 * and is gone when the tab closes. The server checks every line again, so nothing here is trusted.
 */
export class RicaricaCart {
	lines = $state<CartItem[]>([]);
	total = $derived(this.lines.reduce((s, l) => s + l.amountCents, 0));

	constructor(private readonly key: string) {}

	/** Reads the saved cart, keeping only lines for accounts the page still offers. */
	restore(offered: (line: CartItem) => boolean): void {
		try {
			const saved = JSON.parse(sessionStorage.getItem(this.key) ?? '[]') as unknown;
			if (!Array.isArray(saved)) return;
			this.lines = saved
				.filter((l): l is CartItem => typeof l?.consumerId === 'number' && typeof l?.serviceGroupId === 'number' && Number.isSafeInteger(l?.amountCents))
				.filter(offered)
				.slice(0, CART_MAX_LINES);
		} catch {
			this.lines = [];
		}
	}

	/** One line per account: adding an account again changes its amount. */
	put(line: CartItem): 'added' | 'updated' | 'full' {
		if (this.lines.some((l) => sameAccount(l, line))) {
			this.lines = this.lines.map((l) => (sameAccount(l, line) ? line : l));
			this.save();
			return 'updated';
		}
		if (this.lines.length >= CART_MAX_LINES) return 'full';
		this.lines = [...this.lines, line];
		this.save();
		return 'added';
	}

	remove(line: Pick<CartItem, 'consumerId' | 'serviceGroupId'>): void {
		this.lines = this.lines.filter((l) => !sameAccount(l, line));
		this.save();
	}

	clear(): void {
		this.lines = [];
		this.save();
	}

	private save(): void {
		try {
			sessionStorage.setItem(this.key, JSON.stringify(this.lines));
		} catch {
			// Private browsing with storage off: the cart still works until the page is left.
		}
	}
}
