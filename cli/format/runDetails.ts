import type { Run, RunSummary } from '../../sdk';
import { formatTime } from './duration';
import {
  colorStatus,
  firstLine,
  orderSteps,
  runDuration,
  runMetricsLines,
  stepMetricsLines,
  stepTable,
} from './runView';
import type { Style } from './style';
import { renderTable } from './table';

/** The table of `sluice runs list`. */
export function renderRunList(runs: RunSummary[], now: number, style: Style): string[] {
  return renderTable(
    [
      { header: 'RUN ID' },
      { header: 'EXPERIMENT' },
      { header: 'STATUS' },
      { header: 'CREATED' },
      { header: 'DURATION', align: 'right' },
      { header: 'TRIGGER' },
    ],
    runs.map((r) => [
      r.id,
      r.experiment,
      colorStatus(r.status, style),
      formatTime(r.createdAt),
      runDuration(r, now),
      r.kind === 'interactive' ? 'interactive' : r.triggeredBy,
    ]),
    style.bold,
  );
}

function valueText(value: unknown): string {
  if (value !== null && typeof value === 'object') {
    const dp = value as { datastore?: unknown; path?: unknown };
    if (typeof dp.datastore === 'string' && typeof dp.path === 'string') return `${dp.datastore}:${dp.path}`;
    return JSON.stringify(value);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const assignments = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}=${valueText(v)}`)
    .join('  ');

function kib(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** `sluice runs show`: a header of fields, the steps with their reuse reasons, outputs and metrics. */
export function renderRun(run: Run, now: number, style: Style): string[] {
  const fields: [string, string | undefined][] = [
    ['Experiment', run.experiment],
    [
      'Status',
      colorStatus(run.status, style) + (run.cancelRequested && run.status !== 'Canceled' ? ' (cancel requested)' : ''),
    ],
    run.kind === 'interactive'
      ? ['Kind', `interactive (Experiment.start_logging)${run.pipelineName ? `: ${run.pipelineName}` : ''}`]
      : ['Pipeline', `${run.pipelineName ?? '-'} (${run.pipelineId.slice(0, 12)})`],
    ['Description', run.description],
    ['Created', `${formatTime(run.createdAt)}${run.createdBy ? ` by ${run.createdBy}` : ''} (${run.triggeredBy})`],
    ['Started', run.startedAt ? formatTime(run.startedAt) : undefined],
    ['Ended', run.endedAt ? `${formatTime(run.endedAt)} (took ${runDuration(run, now)})` : undefined],
    ['Parameters', Object.keys(run.parameters).length ? assignments(run.parameters) : undefined],
    ['Data paths', Object.keys(run.dataPaths).length ? assignments(run.dataPaths) : undefined],
    [
      'Options',
      [run.regenerateOutputs && 'regenerateOutputs', run.continueOnStepFailure && 'continueOnStepFailure']
        .filter(Boolean)
        .join(', ') || undefined,
    ],
    ['Tags', Object.keys(run.tags).length ? assignments(run.tags) : undefined],
    // Deployed on the Durable Task Scheduler: its dashboard, where the orchestration's instance id is the run id.
    ['Orchestration', run.links.orchestration ? `instance ${run.id} in ${run.links.orchestration}` : undefined],
    [
      'Error',
      run.error ? `${run.error.step ? `step ${run.error.step}: ` : ''}${firstLine(run.error.message)}` : undefined,
    ],
  ];
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length));
  const lines = [style.bold(`Run ${run.id}`), ...shown.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`), ''];
  for (const w of run.warnings ?? []) lines.push(style.yellow(`Warning: ${w.message}`));
  if (run.warnings?.length) lines.push('');
  if (run.kind !== 'interactive') lines.push(...stepTable(run, now, style, { reasons: true }));

  const outputs = orderSteps(run.steps).flatMap((s) =>
    s.outputs.map((o) => [
      s.name,
      o.name,
      `${o.container}/${o.path}`,
      String(o.files.length),
      kib(o.files.reduce((n, f) => n + f.size, 0)),
    ]),
  );
  if (outputs.length) {
    lines.push('', style.bold('Outputs'));
    lines.push(
      ...renderTable(
        [
          { header: 'STEP' },
          { header: 'DATA' },
          { header: 'LOCATION' },
          { header: 'FILES', align: 'right' },
          { header: 'SIZE', align: 'right' },
        ],
        outputs,
        style.bold,
      ),
    );
  }
  const models = orderSteps(run.steps).flatMap((s) =>
    (s.models ?? []).map((m) => [
      s.name,
      m.version === undefined ? m.name : `${m.name}:${m.version}`,
      `${m.path.container}/${m.path.path}`,
      [m.framework, m.frameworkVersion].filter(Boolean).join(' ') || '-',
      assignments(m.tags) || '-',
    ]),
  );
  if (models.length) {
    lines.push('', style.bold('Models'));
    lines.push(
      ...renderTable(
        [{ header: 'STEP' }, { header: 'MODEL' }, { header: 'LOCATION' }, { header: 'FRAMEWORK' }, { header: 'TAGS' }],
        models,
        style.bold,
      ),
    );
  }
  const environments = orderSteps(run.steps).flatMap((s) =>
    s.environment
      ? [
          [
            s.name,
            s.environment.version ? `${s.environment.name}:${s.environment.version}` : s.environment.name,
            s.environment.python ?? '-',
            [...s.environment.conda, ...s.environment.pip].join(', ') || '-',
          ],
        ]
      : [],
  );
  if (environments.length) {
    lines.push('', style.bold('Environments'));
    lines.push(
      ...renderTable(
        [{ header: 'STEP' }, { header: 'ENVIRONMENT' }, { header: 'PYTHON' }, { header: 'PACKAGES' }],
        environments,
        style.bold,
      ),
    );
  }
  // Step metrics (a reused step's are those of the run it reused), then what only the run holds: metrics logged on
  // the pipeline run (`run.parent.log`); roll-ups of step scalars repeat the step table and are left out.
  const metrics = stepMetricsLines(run, style);
  if (metrics.length) lines.push('', style.bold('Metrics'), ...metrics);
  const stepNames = new Set(run.steps.flatMap((s) => s.metrics.map((m) => m.name)));
  const runMetrics = runMetricsLines(run, style, (name) => !stepNames.has(name));
  if (runMetrics.length) lines.push('', style.bold(metrics.length ? 'Run metrics' : 'Metrics'), ...runMetrics);
  return lines;
}
