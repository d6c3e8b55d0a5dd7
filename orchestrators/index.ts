import * as df from 'durable-functions';
import { ORCHESTRATORS } from './contracts';
import { pipelineRun } from './pipelineRun';
import { stepRun } from './stepRun';

df.app.orchestration(ORCHESTRATORS.pipelineRun, pipelineRun);
df.app.orchestration(ORCHESTRATORS.stepRun, stepRun);
