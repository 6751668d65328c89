import { NoInput, NotificationPrefs, ProfileInput } from '../../../src/lib/shared/schemas.js';
import { profileOf, updateContacts, updateNotificationPrefs } from '../../users/profile.js';
import { anyUserProcedure, router } from '../init.js';

export const profileRouter = router({
	get: anyUserProcedure.input(NoInput).query(({ ctx }) => profileOf(ctx.rt.db, ctx.auth.user)),
	update: anyUserProcedure.input(ProfileInput).mutation(({ ctx, input }) => {
		updateContacts(ctx.rt.db, ctx.rt.clock, ctx.auth.user, input, ctx.edge.ip);
		return input;
	}),
	updatePrefs: anyUserProcedure.input(NotificationPrefs).mutation(({ ctx, input }) => {
		updateNotificationPrefs(ctx.rt.db, ctx.auth.user, input);
		return input;
	})
});
