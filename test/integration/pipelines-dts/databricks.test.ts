// test/integration/pipelines/databricks.test.ts on an app configured for the Durable Task Scheduler (see onDurableTaskScheduler.ts).
import './onDurableTaskScheduler';
import '../pipelines/databricks.test';
