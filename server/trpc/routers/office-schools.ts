import {
	ArchiveInput,
	InviteSchoolStaffInput,
	RenameSchoolClassInput,
	SchoolClassInput,
	SchoolInput,
	SchoolYearInput,
	UpdateSchoolInput,
	UpdateSchoolYearInput
} from '../../../src/lib/shared/setup-schemas.js';
import { NoInput } from '../../../src/lib/shared/schemas.js';
import { createSchoolYear, updateSchoolYear } from '../../schools/school-years.js';
import { createSchool, createSchoolClass, renameSchoolClass, schoolsOverview, updateSchool } from '../../schools/schools.js';
import { setArchived } from '../../schools/archive.js';
import { delegateSchool } from '../../schools/delegation.js';
import { mailInvitation } from '../../users/invitations.js';
import { todayOf } from '../../meals/cutoff.js';
import { procedureFor, router, type AuthedContext } from '../init.js';
import { settledSetup } from './setup-outcome.js';

/** The shape of the Comune's schools is the ufficio's: school staff, kitchen and parents only read it through their own pages. */
const operatorProcedure = procedureFor('operator');

const actorOf = (ctx: AuthedContext) => ({ userId: ctx.auth.user.id, ip: ctx.edge.ip });
const done = (id: number) => ({ id });

export const officeSchoolsRouter = router({
	overview: operatorProcedure.input(NoInput).query(({ ctx }) => schoolsOverview(ctx.rt.db, ctx.scope)),
	createSchoolYear: operatorProcedure
		.input(SchoolYearInput)
		.mutation(({ ctx, input }) => done(settledSetup(createSchoolYear(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	updateSchoolYear: operatorProcedure
		.input(UpdateSchoolYearInput)
		.mutation(({ ctx, input }) => done(settledSetup(updateSchoolYear(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	createSchool: operatorProcedure.input(SchoolInput).mutation(({ ctx, input }) => done(settledSetup(createSchool(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	updateSchool: operatorProcedure
		.input(UpdateSchoolInput)
		.mutation(({ ctx, input }) => done(settledSetup(updateSchool(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	setArchived: operatorProcedure
		.input(ArchiveInput)
		.mutation(({ ctx, input }) => done(settledSetup(setArchived(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), { ...input, today: todayOf(ctx.auth.tenant!, ctx.rt.clock.now()) })))),
	createClass: operatorProcedure
		.input(SchoolClassInput)
		.mutation(({ ctx, input }) => done(settledSetup(createSchoolClass(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input)))),
	renameClass: operatorProcedure
		.input(RenameSchoolClassInput)
		.mutation(({ ctx, input }) => done(settledSetup(renameSchoolClass(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input.schoolClassId, input.name)))),
	inviteSchoolStaff: operatorProcedure.input(InviteSchoolStaffInput).mutation(async ({ ctx, input }) => {
		const { school, user, token } = settledSetup(delegateSchool(ctx.rt.db, ctx.rt.clock, ctx.scope, actorOf(ctx), input));
		return { email: user.email!, mailed: await mailInvitation(ctx.rt.mailer, ctx.rt.config.origin, ctx.auth.tenant!, user.email!, 'school_staff', school.name, token) };
	})
});
