import { router } from './init.js';
import { authRouter } from './routers/auth.js';
import { guardianRouter } from './routers/guardian.js';
import { profileRouter } from './routers/profile.js';
import { tenantsRouter } from './routers/tenants.js';
import { mealsRouter } from './routers/meals.js';
import { officeRouter } from './routers/office.js';
import { accountRouter } from './routers/account.js';
import { paymentsRouter } from './routers/payments.js';
import { officePaymentsRouter } from './routers/office-payments.js';

export const appRouter = router({
	tenants: tenantsRouter,
	auth: authRouter,
	guardian: guardianRouter,
	profile: profileRouter,
	account: accountRouter,
	meals: mealsRouter,
	office: officeRouter,
	payments: paymentsRouter,
	officePayments: officePaymentsRouter
});

export type AppRouter = typeof appRouter;
