/**
 * Answers shaped as Databricks' published API reference documents them (Jobs 2.1 runs/get, runs/get-output,
 * runs/submit; the error body), written with our own values. The client is tested against these; the local
 * stand-in (local/databricks/) is tested to answer in the same shapes.
 */

export const submitAnswer = { run_id: 771204 };

/** runs/get of a one-task submit run, still running on an existing cluster. */
export const runningRun = {
  job_id: 90210,
  run_id: 771204,
  creator_user_name: 'ml-app@contoso.example',
  number_in_job: 771204,
  original_attempt_run_id: 771204,
  state: { life_cycle_state: 'RUNNING', state_message: 'In run', user_cancelled_or_timedout: false },
  cluster_spec: { existing_cluster_id: '0611-094512-abcd123' },
  cluster_instance: { cluster_id: '0611-094512-abcd123', spark_context_id: '4471900000000000001' },
  start_time: 1780000000000,
  setup_duration: 0,
  execution_duration: 0,
  cleanup_duration: 0,
  end_time: 0,
  run_duration: 12000,
  trigger: 'ONE_TIME',
  run_name: 'prep-features',
  run_page_url: 'https://adb-5550001.7.azuredatabricks.net/?o=5550001#job/90210/run/771204',
  run_type: 'SUBMIT_RUN',
  format: 'MULTI_TASK',
  tasks: [
    {
      run_id: 771205,
      task_key: 'sluice',
      state: { life_cycle_state: 'RUNNING', state_message: 'In run', user_cancelled_or_timedout: false },
      spark_python_task: { python_file: 'dbfs:/sluice/runs/r1/prep.py', parameters: ['--rows', '10'] },
      existing_cluster_id: '0611-094512-abcd123',
      start_time: 1780000000100,
      attempt_number: 0,
      run_page_url: 'https://adb-5550001.7.azuredatabricks.net/?o=5550001#job/90210/run/771205',
    },
  ],
};

/** runs/get of the same run after its task failed. */
export const failedRun = {
  ...runningRun,
  state: {
    life_cycle_state: 'TERMINATED',
    result_state: 'FAILED',
    state_message: 'Task sluice failed with message: Workload failed, see run output for details.',
    user_cancelled_or_timedout: false,
  },
  end_time: 1780000065000,
};

/** runs/get-output of a notebook task that ended with dbutils.notebook.exit. */
export const notebookOutput = {
  notebook_output: { result: '{"rows": 1200}', truncated: false },
  metadata: {
    ...runningRun.tasks[0],
    job_id: 90210,
    state: { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' },
  },
};

/** runs/get-output of a Python task that raised. */
export const failedOutput = {
  error: 'ValueError: column "price" has negative values',
  error_trace:
    'Traceback (most recent call last):\n  File "prep.py", line 9, in <module>\nValueError: column "price" has negative values',
  logs: 'reading abfss://raw@lake.dfs.core.windows.net/sales\n',
  logs_truncated: false,
  metadata: { ...runningRun.tasks[0], job_id: 90210 },
};

export const rateLimited = {
  error_code: 'REQUEST_LIMIT_EXCEEDED',
  message:
    'Your request was rejected since your organization has exceeded the rate limit. Please retry your request later.',
};

export const notFound = { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run 42 does not exist.' };

export const invalidParameter = {
  error_code: 'INVALID_PARAMETER_VALUE',
  message:
    'Retrieving the output of runs with multiple tasks is not supported. Please retrieve the output of each individual task run instead.',
};
