import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LocalKeyStore } from '../../../shared/auth';
import { ROOT, startStack, uploadDiabetesData, type Stack } from '../pipelines/stack';
import { launchChromium, screenshot, seriousViolations, signIn } from './browser';

/**
 * Sluice Studio in Chromium against the real local stack (Azurite, the host running the built app, a worker with
 * python3): the diabetes run watched live on the graph, a failed step's log opened from the graph, a reused run's
 * reasons and the resubmit plan, a published pipeline submitted from its form, a schedule's fire times in its zone,
 * and an accessibility scan (axe-core) of every page in light and dark themes. Screenshots go to test-results/studio.
 */

const SAMPLE = join(ROOT, 'samples', 'diabetes');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'studio');
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let origin: string;
let firstRun = '';
let reusedRun = '';
let publishedId = '';

before(async () => {
  stack = await startStack(); // no worker yet: the first run is watched from NotStarted
  origin = stack.base.replace(/\/api$/, '');
  await uploadDiabetesData(stack, 7);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  await signIn(page, origin);
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Every status each graph node showed, in order, recorded in the page as the DOM changes. */
async function recordStatuses(p: Page): Promise<void> {
  await p.evaluate(`(() => {
    const seen = {};
    const note = () => {
      for (const n of document.querySelectorAll('g.node[data-step]')) {
        const list = (seen[n.dataset.step] ??= []);
        if (list[list.length - 1] !== n.dataset.status) list.push(n.dataset.status);
      }
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, attributes: true, childList: true });
    window.seenStatuses = seen;
  })()`);
}

test('a diabetes run is watched live on the graph from NotStarted to Completed', async () => {
  const yaml = readFileSync(join(SAMPLE, 'pipeline.yaml'), 'utf8');
  firstRun = await stack.submit(yaml, { sources: { scripts: join(SAMPLE, 'scripts') } });
  await page.goto(`${origin}/studio/`);
  await page.locator(`tr[data-run="${firstRun}"] a`).click();
  await page.locator('g.node[data-step="train"]').waitFor();
  await recordStatuses(page);
  // The data edge prepare → train is labelled with the PipelineData it carries.
  const edge = page.locator('g.edge[data-from="prepare"][data-to="train"] text');
  assert.equal(await edge.textContent(), 'prepped_data');
  // No worker yet: the run cannot have got past its first step.
  assert.match(
    (await page.locator('[data-run-status]').getAttribute('data-run-status')) ?? '',
    /^(NotStarted|Running)$/,
  );

  stack.startWorker();
  await page.locator('[data-run-status="Completed"]').waitFor({ timeout: 120_000 });
  await page.locator('g.node[data-step="train"][data-status="Completed"]').waitFor();
  const seen = (await page.evaluate('window.seenStatuses')) as Record<string, string[]>;
  // train waits for prepare, which waits for the worker: the graph showed it NotStarted, then it changed live.
  assert.equal(seen.train[0], 'NotStarted', `train showed ${seen.train.join(' → ')}`);
  assert.match(seen.prepare[0], /^(NotStarted|Queued)$/, `prepare showed ${seen.prepare.join(' → ')}`);
  for (const name of ['prepare', 'train']) {
    assert.equal(seen[name][seen[name].length - 1], 'Completed', `${name} showed ${seen[name].join(' → ')}`);
    assert.ok(seen[name].length >= 2, `${name} showed ${seen[name].join(' → ')}`);
  }
  // The timeline: each step queued, then ran; train started only after prepare ended (it reads prepare's output).
  const times = async (step: string) => {
    const bar = page.locator(`[data-gantt-step="${step}"]`);
    const at = async (name: string) => Number(await bar.getAttribute(`data-${name}`));
    return { queued: await at('queued'), started: await at('started'), ended: await at('ended') };
  };
  const prep = await times('prepare');
  const train = await times('train');
  for (const [name, t] of Object.entries({ prepare: prep, train })) {
    assert.ok(t.queued <= t.started && t.started <= t.ended, `${name}: ${JSON.stringify(t)}`);
  }
  assert.equal(prep.queued, 0, 'the timeline starts when the first step was queued');
  assert.ok(train.started >= prep.ended, `train ${JSON.stringify(train)} after prepare ${JSON.stringify(prep)}`);
  // The layout is remembered by graph shape (the next run of this pipeline draws without laying out again): a
  // reload draws the nodes where they were, from the stored layout.
  const where = async () =>
    Promise.all(['prepare', 'train'].map((s) => page.locator(`g.node[data-step="${s}"]`).getAttribute('transform')));
  const before = await where();
  const stored = JSON.parse(
    ((await page.evaluate(`localStorage.getItem('sluice.studio.layouts.v1')`)) as string | null) ?? '[]',
  ) as { nodes: [string, { x: number; y: number }][] }[];
  const remembered = stored.find((l) => l.nodes.some(([n]) => n === 'train'));
  assert.ok(remembered, 'the layout is stored');
  const trainAt = new Map(remembered.nodes).get('train');
  assert.equal(before[1], `translate(${trainAt?.x},${trainAt?.y})`);
  await page.reload();
  await page.locator('g.edge[data-from="prepare"][data-to="train"] text').waitFor(); // the spec's labelled layout
  assert.deepEqual(await where(), before);
  // Open train from the graph with the keyboard: its panel shows the Accuracy metric and the model output.
  await page.locator('g.node[data-step="train"]').focus();
  await page.keyboard.press('Enter');
  const panel = page.locator('aside[data-panel-step="train"]');
  await panel.waitFor();
  await panel.getByText('Accuracy').first().waitFor();
  await panel
    .getByRole('button', { name: /^model\// })
    .first()
    .waitFor();
  await page.waitForFunction(
    `document.querySelector('aside[data-panel-step="train"] pre.log').textContent.trim() !== ''`,
  );
  await screenshot(page, 'run');
  assert.deepEqual(await seriousViolations(page), []);
});

test('a failed step: its log opens from the graph', async () => {
  const spec = {
    name: 'studio-fails',
    steps: [
      {
        name: 'explode',
        type: 'command',
        command: 'python3',
        arguments: ['-c', 'import sys; print("about to fail"); sys.stdout.flush(); sys.exit(3)'],
      },
    ],
  };
  const id = await stack.submit(spec);
  await stack.waitForRun(id);
  await page.goto(`${origin}/studio/runs/${id}`);
  const node = page.locator('g.node[data-step="explode"][data-status="Failed"]');
  await node.waitFor();
  await node.click();
  const log = page.getByRole('region', { name: 'Log of step explode' }).or(page.getByLabel('Log of step explode'));
  await log.getByText('about to fail').waitFor();
  await page.locator('aside[data-panel-step="explode"] .error').first().waitFor();
  await screenshot(page, 'failed-step');
  assert.deepEqual(await seriousViolations(page), []);
});

test('a step panel: list and table metrics as charts, a logged image, the environment, every attempt', async () => {
  const spec = {
    name: 'studio-metrics',
    steps: [
      {
        name: 'report',
        type: 'python',
        source_directory: './metrics',
        script: 'report.py',
        retries: 1,
        environment: { name: 'studio-env', python: '3.11', pip: ['azureml-core'] },
      },
    ],
  };
  const id = await stack.submit(spec, { sources: { metrics: join(FIXTURES, 'metrics') } });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed', JSON.stringify(run));
  await page.goto(`${origin}/studio/runs/${id}?step=report`);
  const panel = page.locator('aside[data-panel-step="report"]');
  await panel.waitFor();
  // The list and the table are drawn (uPlot's canvas), the table's rows are there to read.
  await panel.locator('[data-chart="loss"] canvas').waitFor();
  await panel.locator('[data-table-metric="roc"] [data-chart="roc"] canvas').waitFor();
  assert.match(
    (await panel.locator('[data-chart="roc"] [role="img"]').getAttribute('aria-label')) ?? '',
    /\(tpr by fpr\): 4 values$/,
  );
  assert.equal(await panel.locator('[data-table-metric="roc"] tbody tr').count(), 4);
  // The image log_image uploaded, loaded with the session's token and decoded: 8×8 pixels.
  const image = panel.locator('[data-image-metric="sample"] img');
  await image.waitFor();
  await page.waitForFunction(
    `document.querySelector('[data-image-metric="sample"] img').naturalWidth === 8`,
    undefined,
    { timeout: 10_000 },
  );
  // The environment and both attempts: the first failed, its log's last lines say why.
  await panel.locator('[data-environment="studio-env"]').getByText('azureml-core').waitFor();
  await panel.locator('li[data-attempt="1"]').getByText('attempt 1 gives up: flaky data source').waitFor();
  assert.equal(await panel.locator('li[data-attempt="1"] .badge').textContent(), 'Failed');
  assert.equal(await panel.locator('li[data-attempt="2"] .badge').textContent(), 'Completed');
  // Attempt 1's own error, kept in the step's attempt history (the step's error is the latest attempt's: none).
  assert.match(
    (await panel.locator('li[data-attempt="1"] [data-attempt-error]').textContent()) ?? '',
    /StepFailed: .+/,
  );
  assert.equal(await panel.locator('li[data-attempt="2"] [data-attempt-error]').count(), 0);
  // The timeline has a bar for each attempt: the failed first one, then the one that completed after it.
  const bars = page.locator('[data-gantt-step="report"] [data-gantt-attempt]');
  assert.equal(await bars.count(), 2);
  const bar = (n: number) => page.locator(`[data-gantt-step="report"] [data-gantt-attempt="${n}"]`);
  assert.equal(await bar(1).getAttribute('data-status'), 'Failed');
  assert.match((await bar(1).getAttribute('class')) ?? '', /\bst-failed\b/);
  assert.match((await bar(1).getAttribute('title')) ?? '', /^attempt 1: Failed \(StepFailed: .+\); queued at/);
  assert.equal(await bar(2).getAttribute('data-status'), 'Completed');
  assert.match((await bar(2).getAttribute('title')) ?? '', /^attempt 2: Completed; queued at/);
  const left = async (n: number, part: string) =>
    parseFloat((await bar(n).locator(part).getAttribute('style'))?.match(/left: ([\d.]+)%/)?.[1] ?? 'NaN');
  assert.ok((await left(2, '.gantt-wait')) >= (await left(1, '.gantt-run')), 'attempt 2 is queued after attempt 1 ran');
  await screenshot(page, 'step-metrics');
  assert.deepEqual(await seriousViolations(page), []);
});

test('a reused run shows its source run and reasons; resubmit shows the plan first', async () => {
  assert.ok(firstRun, 'the first test ran');
  const yaml = readFileSync(join(SAMPLE, 'pipeline.yaml'), 'utf8');
  const id = await stack.submit(yaml, {
    sources: { scripts: join(SAMPLE, 'scripts') },
    parameters: { reg_rate: 0.1 },
  });
  const run = await stack.waitForRun(id);
  assert.equal(run.status, 'Completed');
  reusedRun = id;
  await page.goto(`${origin}/studio/runs/${id}`);
  const prepare = page.locator('g.node[data-step="prepare"]');
  await prepare.waitFor();
  assert.match((await prepare.getAttribute('aria-label')) ?? '', new RegExp(`reused from run ${firstRun}`));
  await prepare.click();
  const panel = page.locator('aside[data-panel-step="prepare"]');
  await panel.getByRole('link', { name: firstRun.slice(0, 8) }).waitFor();
  await panel.getByText(/unchanged since run/).waitFor();
  await page.locator('g.node[data-step="train"]').click();
  await page
    .locator('aside[data-panel-step="train"]')
    .getByText(/parameter reg_rate 0\.01 → 0\.1/)
    .waitFor();
  await screenshot(page, 'reused-run');

  // Resubmit with reg_rate back at 0.01: the plan says both steps would be reused, before anything starts.
  const listed = (await stack.call('runs?top=100', { token: stack.readToken }).then((r) => r.json())) as {
    value: unknown[];
  };
  await page.getByLabel('reg_rate').fill('0.01');
  await page.getByRole('button', { name: 'Show the plan' }).click();
  await page.getByText('2 step(s) would be reused, 0 would run.').waitFor();
  const relisted = (await stack.call('runs?top=100', { token: stack.readToken }).then((r) => r.json())) as {
    value: unknown[];
  };
  assert.equal(relisted.value.length, listed.value.length, 'the plan started nothing');
  await page.getByRole('button', { name: 'Submit this run' }).click();
  await page.waitForURL((url) => /\/studio\/runs\//.test(url.pathname) && !url.pathname.endsWith(id));
  await page.locator('[data-run-status="Completed"]').waitFor({ timeout: 60_000 });
  assert.deepEqual(await seriousViolations(page), []);
});

test('two runs compared side by side: the parameter that differs, and the metrics', async () => {
  assert.ok(firstRun && reusedRun, 'the earlier tests ran');
  await page.goto(`${origin}/studio/`);
  const compare = page.getByRole('button', { name: /^Compare \d+ selected runs$/ });
  assert.equal(await compare.isDisabled(), true, 'one run is not a comparison');
  await page.getByLabel(`Compare run ${firstRun.slice(0, 8)}`).check();
  await page.getByLabel(`Compare run ${reusedRun.slice(0, 8)}`).check();
  await page.getByRole('button', { name: 'Compare 2 selected runs' }).click();
  await page.getByRole('heading', { name: 'Compare 2 runs' }).waitFor();
  const cells = async (name: string) => page.locator(`tr[data-compare="${name}"] td`).allTextContents();
  const rate = page.locator('tr[data-compare="reg_rate"]');
  assert.equal(await rate.getAttribute('class'), 'differs');
  assert.deepEqual(await cells('reg_rate'), ['0.01', '0.1']);
  // prepare was reused, so its metrics are the same in both; the two trainings differ in their Regularization Rate.
  const prepRows = await cells('prepare/raw_rows');
  assert.equal(prepRows.length, 2);
  assert.equal(prepRows[0], prepRows[1]);
  assert.equal(await page.locator('tr[data-compare="prepare/raw_rows"]').getAttribute('class'), null);
  assert.deepEqual(await cells('train/Regularization Rate'), ['0.01', '0.1']);
  await page.getByLabel('Show only the differences').check();
  assert.equal(await page.locator('tr[data-compare="prepare/raw_rows"]').count(), 0);
  await screenshot(page, 'compare');
  assert.deepEqual(await seriousViolations(page), []);
});

test('a published pipeline is submitted from its form; a schedule shows its next fire times in its zone', async () => {
  const published = await stack
    .call('published-pipelines', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'diabetes-studio', version: '1.0', runId: firstRun }),
      token: await adminToken(),
    })
    .then(async (r) => {
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as { id: string };
    });
  publishedId = published.id;
  await page.goto(`${origin}/studio/published`);
  await page.getByRole('link', { name: 'diabetes-studio' }).click();
  await page.getByRole('heading', { name: /diabetes-studio/, level: 1 }).waitFor();
  await page.getByText(/curl -X POST/).waitFor();
  await screenshot(page, 'published');
  assert.deepEqual(await seriousViolations(page), []);
  await page.getByLabel('Experiment').fill('from-studio');
  await page.getByLabel(/^reg_rate/).fill('0.05');
  await page.getByRole('button', { name: 'Submit run' }).click();
  await page.waitForURL(/\/studio\/runs\//);
  const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
  const run = await stack.getRun(runId);
  assert.equal((run as unknown as { experiment: string }).experiment, 'from-studio');
  assert.equal((run as unknown as { parameters: Record<string, unknown> }).parameters.reg_rate, 0.05);

  const schedule = await stack
    .call('schedules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'nightly-paris',
        publishedPipelineId: published.id,
        experimentName: 'nightly',
        recurrence: { frequency: 'Day', interval: 1, hours: [21], minutes: [30], timeZone: 'Romance Standard Time' },
      }),
      token: await adminToken(),
    })
    .then(async (r) => {
      assert.equal(r.status, 201, await r.clone().text());
      return (await r.json()) as {
        state: { nextFireTimes: string[]; timeZone: string; nextFireTimesInZone: string[] };
      };
    });
  assert.equal(schedule.state.timeZone, 'Europe/Paris');
  await page.goto(`${origin}/studio/schedules`);
  const card = page.locator('article[data-schedule="nightly-paris"]');
  await card.getByText('every day at 21:30').waitFor();
  assert.equal(await card.locator('[data-zone]').textContent(), 'Europe/Paris');
  const times = await card.locator('ol.fire-times time').allTextContents();
  assert.equal(times.length, 5);
  for (const [i, t] of times.entries()) {
    const utc = new Date(schedule.state.nextFireTimes[i]);
    const offset = schedule.state.nextFireTimesInZone[i].slice(-6);
    assert.match(t, new RegExp(`, 21:30 \\(UTC\\${offset}\\)$`), t);
    // 21:30 in Paris is 20:30 UTC in winter, 19:30 in summer.
    assert.equal(utc.getUTCHours(), offset === '+01:00' ? 20 : 19, schedule.state.nextFireTimes[i]);
  }
  await screenshot(page, 'schedules');
  assert.deepEqual(await seriousViolations(page), []);
});

test('a pipeline endpoint: its versions, the default changed and a version disabled, snippets, a submit', async () => {
  assert.ok(publishedId, 'the published test ran');
  const second = (await (
    await stack.call('published-pipelines', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'diabetes-studio', version: '2.0', runId: firstRun }),
      token: await adminToken(),
    })
  ).json()) as { id: string };
  for (const id of [publishedId, second.id]) {
    const res = await stack.call('pipeline-endpoints/diabetes-ep', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ publishedPipelineId: id }),
      token: await adminToken(),
    });
    assert.ok(res.status < 300, await res.text());
  }
  await page.goto(`${origin}/studio/published`);
  const row = page.locator('tr[data-endpoint="diabetes-ep"]');
  assert.equal(await row.locator('td').nth(2).textContent(), '2');
  await row.getByRole('link', { name: 'diabetes-ep' }).click();
  await page.getByRole('heading', { name: /Pipeline endpoint diabetes-ep/, level: 1 }).waitFor();
  assert.match((await page.locator('tr[data-version="0"]').textContent()) ?? '', /\(default\)/);
  const curl = (await page.getByLabel('curl command').textContent()) ?? '';
  assert.match(curl, /curl -X POST '.*\/api\/pipeline-endpoints\/diabetes-ep\/submit'/);
  assert.match(curl, /"reg_rate":0.01/);

  await page.getByRole('button', { name: 'Make version 1 the default' }).click();
  await page.locator('tr[data-version="1"]').getByText('(default)').waitFor();
  const endpoint = (await (await stack.call('pipeline-endpoints/diabetes-ep', { token: stack.readToken })).json()) as {
    defaultVersion: string;
  };
  assert.equal(endpoint.defaultVersion, '1');
  await page.getByRole('button', { name: 'Disable version 0' }).click();
  await page.getByRole('button', { name: 'Enable version 0' }).waitFor();
  const first = (await (await stack.call(`published-pipelines/${publishedId}`, { token: stack.readToken })).json()) as {
    status: string;
  };
  assert.equal(first.status, 'Disabled');
  await screenshot(page, 'endpoint');
  assert.deepEqual(await seriousViolations(page), []);

  // The form submits to the endpoint: the run is one of its default version (v2.0's published pipeline).
  await page.getByLabel('Experiment').fill('from-endpoint');
  await page.getByRole('button', { name: 'Submit run' }).click();
  await page.waitForURL(/\/studio\/runs\//);
  const runId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() as string);
  const run = (await stack.getRun(runId)) as unknown as { experiment: string; publishedPipelineId: string };
  assert.equal(run.experiment, 'from-endpoint');
  assert.equal(run.publishedPipelineId, second.id);
  // Put version 0 back: the later tests use it.
  await stack.call(`published-pipelines/${publishedId}/enable`, { method: 'POST', token: await adminToken() });
});

test('a data-change run shows the blob that triggered it', async () => {
  const published = (await (
    await stack.call('published-pipelines', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'studio-landing', pipeline: LANDING }),
      token: await adminToken(),
    })
  ).json()) as { id: string };
  const schedule = (await (
    await stack.call('schedules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'on-landing',
        publishedPipelineId: published.id,
        experimentName: 'landing',
        dataTrigger: { datastore: 'workspaceblobstore', path: 'studio-landing' },
      }),
      token: await adminToken(),
    })
  ).json()) as { id: string };
  const container = stack.clients.blobs.getContainerClient('workspaceblobstore');
  await container.getBlockBlobClient('studio-landing/day1.csv').upload('a,b\n1,2\n', 8);
  const runId = await waitFor('the data-change run', async () => {
    const runs = (await (await stack.call(`schedules/${schedule.id}/runs`, { token: stack.readToken })).json()) as {
      value: { id: string }[];
    };
    return runs.value[0]?.id;
  });
  await page.goto(`${origin}/studio/runs/${encodeURIComponent(runId)}`);
  const blobs = page.locator('table[data-trigger-blobs]');
  await blobs.getByText('studio-landing/day1.csv').waitFor();
  assert.equal(await blobs.locator('tbody tr').count(), 1);
  await page
    .getByRole('table', { name: 'Data-path inputs' })
    .getByText('workspaceblobstore:studio-landing/day1.csv')
    .waitFor();
  await screenshot(page, 'data-change-run');
  assert.deepEqual(await seriousViolations(page), []);

  // The schedule's card: the folder it watches, its last run, and the blob that started it; reached from the run.
  await page.getByRole('link', { name: schedule.id.slice(0, 8) }).click();
  const card = page.locator('article[data-schedule="on-landing"]');
  await card.locator('[data-watches]').getByText('workspaceblobstore:studio-landing').waitFor();
  await card.locator(`li[data-schedule-run="${runId}"]`).waitFor();
  assert.deepEqual(await card.locator('ul.trigger-blobs li').allTextContents(), [
    'workspaceblobstore:studio-landing/day1.csv',
  ]);
  await screenshot(page, 'schedules-data-change');
  assert.deepEqual(await seriousViolations(page), []);

  // The runs list filtered by trigger, on the server: only this run is a data-change run.
  await page.goto(`${origin}/studio/`);
  await page.locator('tr[data-run]').first().waitFor();
  await page.getByLabel('Trigger').selectOption('dataChange');
  await page.waitForURL(/trigger=dataChange/);
  await page.waitForFunction(`document.querySelectorAll('tr[data-run]').length === 1`);
  assert.equal(await page.locator(`tr[data-run="${runId}"]`).count(), 1);
  const listed = (await (await stack.call('runs?trigger=dataChange', { token: stack.readToken })).json()) as {
    value: { id: string }[];
  };
  assert.deepEqual(
    listed.value.map((r) => r.id),
    [runId],
  );
});

test('datasets, datastores and compute targets: a dataset leads to its blobs; the worker is seen', async () => {
  const res = await stack.call('datasets', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'diabetes-raw',
      kind: 'tabular',
      paths: [{ datastore: 'workspaceblobstore', path: 'diabetes/*.csv' }],
      description: 'the generated diabetes rows',
    }),
    token: await adminToken(),
  });
  assert.equal(res.status, 201, await res.text());
  await page.goto(`${origin}/studio/datasets`);
  const row = page.locator('tr[data-dataset="diabetes-raw:1"]');
  await row.waitFor();
  assert.equal(await row.locator('td').nth(2).textContent(), 'tabular');
  await screenshot(page, 'datasets');
  assert.deepEqual(await seriousViolations(page), []);
  // Its path opens the datastore at the folder: the CSV is there, with its size.
  await row.getByRole('link', { name: 'workspaceblobstore:diabetes/*.csv' }).click();
  await page.getByRole('heading', { name: 'Datastore workspaceblobstore' }).waitFor();
  assert.equal(await page.getByLabel('Folder or name prefix').inputValue(), 'diabetes/');
  const blob = page.locator('tr[data-blob="diabetes/diabetes.csv"]');
  await blob.waitFor();
  assert.match((await blob.locator('td').nth(1).textContent()) ?? '', /^\d+ bytes$/);
  assert.equal(await page.locator('tr[data-blob]').count(), 1, 'only the folder asked for');
  await page.goto(`${origin}/studio/datastores`);
  await page.locator('tr[data-datastore="workspaceblobstore"]').getByText('default', { exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(page), []);

  await page.goto(`${origin}/studio/compute`);
  const cpu = page.locator('tr[data-compute="cpu"]');
  await cpu.waitFor();
  // The worker started in the first test polls the cpu queue.
  await cpu.locator('[data-worker="active"]').waitFor();
  assert.match((await cpu.locator('[data-queue-depth]').textContent()) ?? '', /^\d+$/);
  await screenshot(page, 'compute');
  assert.deepEqual(await seriousViolations(page), []);
});

test('every page passes an accessibility scan in the dark theme and at phone width', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const p = await phone.newPage();
  try {
    await signIn(p, origin);
    for (const [path, name, ready] of [
      ['/studio/', 'runs', 'Runs'],
      [`/studio/runs/${firstRun}?step=train`, 'run', 'Step train'],
      ['/studio/published', 'published-list', 'Published pipelines'],
      ['/studio/schedules', 'schedules', 'Schedules'],
      ['/studio/models', 'models', 'Models'],
      [`/studio/compare?runs=${firstRun},${reusedRun}`, 'compare', 'Compare'],
      ['/studio/datasets', 'datasets', 'Datasets'],
      ['/studio/datastores/workspaceblobstore', 'datastore', 'Datastore'],
      ['/studio/compute', 'compute', 'Compute targets'],
      ['/studio/published/endpoints/diabetes-ep', 'endpoint', 'Pipeline endpoint'],
    ]) {
      await p.goto(`${origin}${path}`);
      await p
        .getByRole('heading', { name: new RegExp(`^${ready}`) })
        .first()
        .waitFor();
      await p.waitForLoadState('networkidle').catch(() => undefined);
      await screenshot(p, `phone-dark-${name}`);
      assert.deepEqual(await seriousViolations(p), [], `${path} (dark, phone)`);
    }
    await page.goto(`${origin}/studio/models`);
    await page.getByRole('heading', { name: 'Models' }).waitFor();
    await screenshot(page, 'models');
    assert.deepEqual(await seriousViolations(page), []);
    await page.goto(`${origin}/studio/`);
    await page.locator('tr[data-run]').first().waitFor();
    await screenshot(page, 'runs');
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await phone.close();
  }
});

/** A published pipeline with one data-path input, for a data-change schedule to feed. */
const LANDING = {
  name: 'studio-landing',
  inputs: { raw: { datastore: 'workspaceblobstore', path: 'studio-landing/' } },
  steps: [{ name: 'look', type: 'command', command: 'true', arguments: ['${{inputs.raw}}'], inputs: ['raw'] }],
};

/** Polls `probe` (every 250 ms, up to 60 s) until it returns a value. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function adminToken(): Promise<string> {
  return (await LocalKeyStore.loadOrCreate(ROOT)).sign({ role: 'Sluice.Admin', subject: 'studio-tests' });
}
