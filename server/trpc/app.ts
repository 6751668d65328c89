import { router } from './init.js';
import { authRouter } from './routers/auth.js';
import { guardianRouter } from './routers/guardian.js';
import { profileRouter } from './routers/profile.js';
import { tenantsRouter } from './routers/tenants.js';
import { mealsRouter } from './routers/meals.js';
import { officeRouter } from './routers/office.js';

export const appRouter = router({
	tenants: tenantsRouter,
	auth: authRouter,
	guardian: guardianRouter,
	profile: profileRouter,
	meals: mealsRouter,
	office: officeRouter
});

export type AppRouter = typeof appRouter;
