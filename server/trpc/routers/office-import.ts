import { ImportProgressInput } from '../../../src/lib/shared/import-schemas.js';
import { progressOf } from '../../consumers/import/progress.js';
import { procedureFor, router } from '../init.js';

/** The upload itself is a form post (/ufficio/importa): a file is more than a tRPC call carries. */
export const officeImportRouter = router({
	progress: procedureFor('operator')
		.input(ImportProgressInput)
		.query(({ ctx, input }) => progressOf({ tenantId: ctx.scope.tenantId, userId: ctx.auth.user.id, jobId: input.jobId }))
});
