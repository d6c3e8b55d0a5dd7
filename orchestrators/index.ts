import * as df from 'durable-functions';
import { ORCHESTRATORS } from './contracts';
import { pipelineRun } from './pipelineRun';
import { stepWork } from './stepWork';

df.app.orchestration(ORCHESTRATORS.pipelineRun, pipelineRun);
df.app.orchestration(ORCHESTRATORS.stepWork, stepWork);
