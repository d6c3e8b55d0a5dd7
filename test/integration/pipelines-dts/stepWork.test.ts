// test/integration/pipelines/stepWork.test.ts on an app configured for the Durable Task Scheduler (see onDurableTaskScheduler.ts).
import './onDurableTaskScheduler';
import '../pipelines/stepWork.test';
