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
import { officeImportRouter } from './routers/office-import.js';
import { officeDebtorsRouter } from './routers/office-debtors.js';
import { officeOverviewRouter } from './routers/office-overview.js';
import { officeConsumersRouter } from './routers/office-consumers.js';
import { adminRouter } from './routers/admin.js';
import { officeSchoolsRouter } from './routers/office-schools.js';
import { invitationsRouter } from './routers/invitations.js';
import { officeTariffsRouter } from './routers/office-tariffs.js';
import { officePrivacyRouter } from './routers/office-privacy.js';

export const appRouter = router({
	tenants: tenantsRouter,
	auth: authRouter,
	guardian: guardianRouter,
	profile: profileRouter,
	account: accountRouter,
	meals: mealsRouter,
	office: officeRouter,
	payments: paymentsRouter,
	officePayments: officePaymentsRouter,
	officeImport: officeImportRouter,
	officeDebtors: officeDebtorsRouter,
	officeOverview: officeOverviewRouter,
	officeConsumers: officeConsumersRouter,
	admin: adminRouter,
	officeSchools: officeSchoolsRouter,
	invitations: invitationsRouter,
	officeTariffs: officeTariffsRouter,
	officePrivacy: officePrivacyRouter
});

export type AppRouter = typeof appRouter;
