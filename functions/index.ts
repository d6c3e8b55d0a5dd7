// Entry point of the Functions app (package.json "main"): importing a module registers its functions.
import { defaultStorageConnection } from '../shared/config';
import { loadStepKindModules } from '../shared/steps/registry';
import './api/setup';
import './api';
import './activities';
import './triggers/stepResults';
import './triggers/stepWork';
import './triggers/recoverRuns';
import './triggers/scheduleTimer';
import './triggers/dataChange';
import '../orchestrators';

// Extra step kinds (SLUICE_STEP_KIND_MODULES) join the table before any spec is read.
loadStepKindModules();

// Trigger connections are resolved by the host after the app has loaded, so setting the default here is in time.
defaultStorageConnection();
