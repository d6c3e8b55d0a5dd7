import * as df from 'durable-functions';
import { ACTIVITIES } from '../../orchestrators/contracts';
import { getRuntime } from '../runtime';
import { createRunActivities, type RunActivities } from '../../shared/engine/activities';
import { createStepWorkActivities, type StepWorkActivities } from '../../shared/engine/stepWork';

let activities: RunActivities | undefined;
function run(): RunActivities {
  if (!activities) {
    const rt = getRuntime();
    activities = createRunActivities({
      store: rt.store,
      loadRun: rt.loadRun,
      enqueue: rt.enqueue,
      now: () => new Date(),
      settleSweep: rt.enqueue.settleSweep,
    });
  }
  return activities;
}

df.app.activity(ACTIVITIES.startRun, { handler: (input) => run().startRun(input as never) });
df.app.activity(ACTIVITIES.startRunAndLaunch, { handler: (input) => run().startRunAndLaunch(input as never) });
df.app.activity(ACTIVITIES.launchSteps, { handler: (input) => run().launchSteps(input as never) });
df.app.activity(ACTIVITIES.skipSteps, { handler: (input) => run().skipSteps(input as never) });
df.app.activity(ACTIVITIES.cancelSteps, { handler: (input) => run().cancelSteps(input as never) });
df.app.activity(ACTIVITIES.finishRun, { handler: (input) => run().finishRun(input as never) });

let work: StepWorkActivities | undefined;
function stepWork(): StepWorkActivities {
  if (!work) {
    const rt = getRuntime();
    work = createStepWorkActivities({
      store: rt.store,
      clients: rt.clients,
      loadRun: rt.loadRun,
      enqueue: rt.enqueue,
      now: () => new Date(),
    });
  }
  return work;
}

df.app.activity(ACTIVITIES.startStepWork, { handler: (input) => stepWork().startStepWork(input as never) });
df.app.activity(ACTIVITIES.stepWorkActivity, { handler: (input) => stepWork().stepWorkActivity(input as never) });
df.app.activity(ACTIVITIES.finishStepWork, { handler: (input) => stepWork().finishStepWork(input as never) });
