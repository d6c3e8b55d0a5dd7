/**
 * Where a run's orchestration can be watched: on the Durable Task Scheduler, its dashboard for the deployment's task
 * hub (`SLUICE_DTS_DASHBOARD_URL`, set by Bicep in the form Microsoft documents,
 * `https://dashboard.durabletask.io/?endpoint=<scheduler endpoint>&taskhub=<task hub>`). The orchestration's
 * instance id is the run id. The dashboard documents no address for one orchestration, so the link opens the task
 * hub, where the instance is found by its id. On Azure Storage (no setting) there is no link.
 */
export function orchestrationLink(dashboardUrl: string | undefined): { orchestration?: string } {
  return dashboardUrl ? { orchestration: dashboardUrl } : {};
}
