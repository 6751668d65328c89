import {
	ChangePasswordInput,
	LoginInput,
	NoInput,
	RegisterInput,
	RequestResetInput,
	ResendVerificationInput,
	ResetPasswordInput,
	SecondFactorInput,
	VerifyEmailInput
} from '../../../src/lib/shared/schemas.js';
import { changeOwnPassword, confirmEmail, finishPasswordReset, login, proveCode, register, resendVerification, startPasswordReset } from '../../auth/flows.js';
import { enrolmentOf, recoveryCodesLeft, renewRecoveryCodes } from '../../auth/second-factor.js';
import { hasPassword } from '../../auth/accounts.js';
import { invalidateSession } from '../../auth/session.js';
import { homeFor } from '../../auth/home.js';
import { anyUserProcedure, procedureFor, publicProcedure, router, secondFactorStepProcedure } from '../init.js';
import { refuse } from '../outcomes.js';
import type { Context } from '../context.js';
import { findTenantById } from '../../tenants/tenants.js';

function loginPathOf(ctx: Context, tenantId: number | null): string {
	const tenant = tenantId === null ? undefined : findTenantById(ctx.rt.db, tenantId);
	return tenant ? `/login/${tenant.slug}` : '/admin/login';
}

const LINK_EXPIRED = 'Il link non è valido, è già stato usato o è scaduto. Chiedine uno nuovo.';

const staffProcedure = procedureFor('operator', 'school_staff', 'kitchen', 'admin');

export const authRouter = router({
	register: publicProcedure.input(RegisterInput).mutation(async ({ ctx, input }) => {
		const outcome = await register(ctx.rt, ctx.edge.ip, input);
		if (outcome.status !== 'sent') refuse(ctx.edge, outcome);
		return outcome;
	}),
	resendVerification: publicProcedure.input(ResendVerificationInput).mutation(async ({ ctx, input }) => {
		const outcome = await resendVerification(ctx.rt, ctx.edge.ip, input);
		if (outcome.status !== 'sent') refuse(ctx.edge, outcome);
		return outcome;
	}),
	verifyEmail: publicProcedure.input(VerifyEmailInput).mutation(({ ctx, input }) => {
		const result = confirmEmail(ctx.rt, input.token);
		if (result.status !== 'ok') refuse(ctx.edge, result, LINK_EXPIRED);
		return { status: 'verified' as const, loginPath: loginPathOf(ctx, result.user.tenantId) };
	}),
	login: publicProcedure.input(LoginInput).mutation(async ({ ctx, input }) => {
		const outcome = await login(ctx.rt, ctx.edge.ip, input);
		if (outcome.status !== 'ok') refuse(ctx.edge, outcome);
		ctx.edge.setSessionCookie(outcome.token, outcome.expiresAt);
		return { home: outcome.home };
	}),
	/** What the code page asks: nothing (passed), the code, or first the authenticator to set up. */
	secondFactor: secondFactorStepProcedure.input(NoInput).query(({ ctx }) => {
		if (!ctx.auth.secondFactorPending) return { status: 'passed' as const };
		const issuer = ctx.auth.tenant ? `Mensa Aperta ${ctx.auth.tenant.name}` : 'Mensa Aperta';
		const enrolment = enrolmentOf(ctx.rt.db, ctx.rt.clock, ctx.rt.secrets, ctx.auth.user, issuer);
		return enrolment.status === 'enrolled' ? { status: 'code' as const } : { status: 'enrol' as const, secret: enrolment.secret, uri: enrolment.uri };
	}),
	proveSecondFactor: secondFactorStepProcedure.input(SecondFactorInput).mutation(({ ctx, input }) => {
		const outcome = proveCode(ctx.rt, ctx.edge.ip, ctx.auth, input.code);
		if (outcome.status !== 'ok') refuse(ctx.edge, outcome, 'Codice non valido o già usato: controlla che l’ora del telefono sia giusta e riprova.');
		return outcome;
	}),
	logout: secondFactorStepProcedure.input(NoInput).mutation(({ ctx }) => {
		invalidateSession(ctx.rt.db, ctx.auth.session.id);
		ctx.edge.clearSessionCookie();
		return { loginPath: loginPathOf(ctx, ctx.auth.user.tenantId) };
	}),
	/** The staff member's own account page: what a password change and the recovery codes need. */
	staffAccount: staffProcedure.input(NoInput).query(({ ctx }) => ({
		hasPassword: hasPassword(ctx.rt.db, ctx.auth.user.id),
		recoveryCodesLeft: recoveryCodesLeft(ctx.rt.db, ctx.auth.user.id)
	})),
	/** Ten new recovery codes, shown once; the old ones stop working. From a session that gave its code. */
	renewRecoveryCodes: staffProcedure.input(NoInput).mutation(({ ctx }) => {
		return { recoveryCodes: renewRecoveryCodes(ctx.rt.db, ctx.rt.clock, ctx.auth.user, ctx.edge.ip) };
	}),
	changePassword: anyUserProcedure.input(ChangePasswordInput).mutation(async ({ ctx, input }) => {
		const session = { id: ctx.auth.session.id, secondFactor: ctx.auth.session.secondFactorAt !== null };
		const outcome = await changeOwnPassword(ctx.rt, ctx.edge.ip, ctx.auth.user, session, input);
		if (outcome.status !== 'ok') refuse(ctx.edge, outcome, 'La password attuale non è corretta.');
		// This device continues with a fresh session; the others as the user chose.
		ctx.edge.setSessionCookie(outcome.token, outcome.expiresAt);
		return { status: 'changed' as const, otherSessionsEnded: outcome.otherSessionsEnded };
	}),
	requestReset: publicProcedure.input(RequestResetInput).mutation(async ({ ctx, input }) => {
		const outcome = await startPasswordReset(ctx.rt, ctx.edge.ip, input);
		if (outcome.status !== 'sent') refuse(ctx.edge, outcome);
		return outcome;
	}),
	resetPassword: publicProcedure.input(ResetPasswordInput).mutation(async ({ ctx, input }) => {
		const result = await finishPasswordReset(ctx.rt, ctx.edge.ip, input);
		if (result.status !== 'ok') refuse(ctx.edge, result, LINK_EXPIRED);
		ctx.edge.clearSessionCookie();
		return { status: 'reset' as const, loginPath: loginPathOf(ctx, result.user.tenantId) };
	}),
	me: publicProcedure.input(NoInput).query(({ ctx }) => {
		if (!ctx.auth) return null;
		const { user, tenant, roles } = ctx.auth;
		return {
			givenName: user.givenName,
			familyName: user.familyName,
			email: user.email,
			fiscalCodeVerified: user.fiscalCodeVerifiedAt !== null,
			tenant: tenant && { slug: tenant.slug, name: tenant.name },
			roles: roles.map((r) => r.role),
			home: homeFor(roles)
		};
	})
});
