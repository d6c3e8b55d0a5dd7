import * as df from 'durable-functions';
import { ORCHESTRATORS } from './contracts';
import { pipelineRun } from './pipelineRun';

df.app.orchestration(ORCHESTRATORS.pipelineRun, pipelineRun);
