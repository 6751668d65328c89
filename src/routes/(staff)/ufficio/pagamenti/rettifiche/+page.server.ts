import { randomUUID } from 'node:crypto';
import type { PageServerLoad } from './$types';
import { operatorPage } from '../office-page';

/** Each showing of the forms gets fresh request ids: a resend of the same form posts once. */
export const load: PageServerLoad = (event) => ({ ...operatorPage(event).page, refundRequestId: randomUUID(), transferRequestId: randomUUID() });
