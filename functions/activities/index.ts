import * as df from 'durable-functions';
import { ACTIVITIES } from '../../orchestrators/contracts';
import { getRuntime } from '../runtime';
import { durableOps } from './durableOps';
import { finishStep } from './finishStep';
import { createRunActivities, type RunActivities } from './runActivities';

let activities: RunActivities | undefined;
function run(): RunActivities {
  if (!activities) {
    const rt = getRuntime();
    activities = createRunActivities({
      store: rt.store,
      loadRun: rt.loadRun,
      enqueue: rt.enqueue,
      now: () => new Date(),
    });
  }
  return activities;
}

const client = df.input.durableClient();

// Activities that talk to other orchestrations get the durable client as an extra input.
df.app.activity(ACTIVITIES.startRun, { handler: (input) => run().startRun(input as never) });
df.app.activity(ACTIVITIES.launchSteps, {
  extraInputs: [client],
  handler: (input, context) => run().launchSteps(input as never, durableOps(df.getClient(context))),
});
df.app.activity(ACTIVITIES.skipSteps, { handler: (input) => run().skipSteps(input as never) });
df.app.activity(ACTIVITIES.cancelSteps, {
  extraInputs: [client],
  handler: (input, context) => run().cancelSteps(input as never, durableOps(df.getClient(context))),
});
df.app.activity(ACTIVITIES.finishRun, { handler: (input) => run().finishRun(input as never) });
df.app.activity(ACTIVITIES.dispatchStep, { handler: (input) => run().dispatchStep(input as never) });
df.app.activity(ACTIVITIES.recordStepResult, { handler: (input) => run().recordStepResult(input as never) });
df.app.activity(ACTIVITIES.notifyRun, {
  extraInputs: [client],
  handler: (input, context) => run().notifyRun(input as never, durableOps(df.getClient(context))),
});
df.app.activity(ACTIVITIES.finishStep, {
  extraInputs: [client],
  handler: (input, context) => finishStep(run(), input as never, durableOps(df.getClient(context))),
});
