import datetime

from azureml.pipeline.core import Schedule, ScheduleRecurrence, TimeZone

from .support import TempDirTest, workspace

SCHEDULE = {"id": "s1", "name": "weekly", "status": "Active", "publishedPipelineId": "pp",
            "experimentName": "e", "recurrence": {"frequency": "Week", "interval": 1, "weekDays": ["Monday"]},
            "state": {"nextFireTimes": ["2030-01-07T00:00:00Z"]}}


class Recurrence(TempDirTest):
    def invalid(self, message, **kwargs):
        arguments = dict({"frequency": "Day", "interval": 1}, **kwargs)
        with self.assertRaises(ValueError) as caught:
            ScheduleRecurrence(**arguments).validate()
        self.assertEqual(str(caught.exception), message)

    def test_the_sdks_validation_messages(self):
        self.invalid("Invalid value for frequency, only one of Minute, Hour, Day, Week, or Month accepted.",
                     frequency="Daily")
        self.invalid("Interval must be an integer greater than 0.", interval=0)
        self.invalid("Interval must be an integer greater than 0.", interval="1")
        self.invalid("Can only specify hours if frequency is Week or Day", frequency="Hour", hours=[1])
        self.invalid("Can only specify minutes if frequency is Week or Day", frequency="Month", minutes=[1])
        self.invalid("Can only specify time_of_day if frequency is Week or Day", frequency="Minute",
                     time_of_day="10:00")
        self.invalid("Can only specify week days if frequency is Week", week_days=["Monday"])
        self.invalid("Hours must be between 0 and 23.", hours=[24])
        self.invalid("Minutes must be between 0 and 59.", minutes=[60])
        self.invalid("Hours must be a list of integers between 0 and 23, e.g. [9, 17].", hours=9)
        self.invalid("Can not specify time_of_day and hours or minutes", hours=[1], time_of_day="10:00")
        self.invalid('time_of_day should be in the format hh:mm, e.g. "09:30".', time_of_day="9am")
        self.invalid("Time of day hour value must be between 0 and 23.", time_of_day="24:00")
        self.invalid("Time of day minute value must be between 0 and 59.", time_of_day="10:60")
        with self.assertRaises(ValueError) as caught:
            ScheduleRecurrence("Week", 1, week_days=["Mon"]).validate()
        self.assertIn("'Mon' is not one of them", str(caught.exception))
        self.invalid('Can not specify a UTC offset or "Z" in start_time, use time_zone instead.',
                     start_time="2024-01-01T10:00:00Z")
        self.invalid('start_time must be a local date and time in the format YYYY-MM-DDThh:mm:ss, e.g. '
                     '"2024-01-31T09:00:00".', start_time="2023-02-29T09:00:00")

    def test_valid_recurrences_and_their_json(self):
        recurrence = ScheduleRecurrence(frequency="Week", interval=2, start_time=datetime.datetime(2024, 1, 3, 10),
                                        time_zone=TimeZone.WEuropeStandardTime, week_days=["Monday", "Wednesday"],
                                        time_of_day="18:30")
        recurrence.validate()
        self.assertEqual(recurrence._json(), {"frequency": "Week", "interval": 2, "startTime": "2024-01-03T10:00:00",
                                              "timeZone": "W. Europe Standard Time",
                                              "weekDays": ["Monday", "Wednesday"], "timeOfDay": "18:30"})
        ScheduleRecurrence("Day", 1, hours=[0, 23], minutes=[0, 59]).validate()
        ScheduleRecurrence("Minute", 15).validate()


class Schedules(TempDirTest):
    def test_create_with_a_recurrence(self):
        ws, transport = workspace({("POST", "schedules"): SCHEDULE})
        schedule = Schedule.create(ws, name="weekly", pipeline_id="pp", experiment_name="e",
                                   recurrence=ScheduleRecurrence("Week", 1, week_days=["Monday"]),
                                   description="d", pipeline_parameters={"reg_rate": 0.1},
                                   continue_on_step_failure=True)
        body = transport.last("POST", "schedules")["json_body"]
        self.assertEqual(body, {"name": "weekly", "experimentName": "e", "publishedPipelineId": "pp",
                                "description": "d", "continueOnStepFailure": True,
                                "parameters": {"reg_rate": 0.1},
                                "recurrence": {"frequency": "Week", "interval": 1, "weekDays": ["Monday"]}})
        self.assertEqual((schedule.id, schedule.status, schedule.pipeline_id), ("s1", "Active", "pp"))
        self.assertEqual(schedule.recurrence.week_days, ["Monday"])
        self.assertEqual(schedule.next_fire_times, ["2030-01-07T00:00:00Z"])

    def test_create_on_data_changes(self):
        ws, transport = workspace({("POST", "schedules"): dict(SCHEDULE, recurrence=None, dataTrigger={
            "datastore": "workspaceblobstore", "path": "incoming", "pollingIntervalMinutes": 10})})
        schedule = Schedule.create(ws, "on-data", "pp", "e", datastore="workspaceblobstore",
                                   path_on_datastore="incoming", polling_interval=10,
                                   data_path_parameter_name="raw_data")
        body = transport.last("POST", "schedules")["json_body"]
        self.assertEqual(body["dataTrigger"], {"datastore": "workspaceblobstore", "path": "incoming",
                                               "pollingIntervalMinutes": 10, "dataPathParameterName": "raw_data"})
        self.assertEqual((schedule.datastore_name, schedule.path_on_datastore, schedule.polling_interval),
                         ("workspaceblobstore", "incoming", 10))

    def test_create_checks_before_sending(self):
        ws, transport = workspace()
        recurrence = ScheduleRecurrence("Day", 1)
        for kwargs in ({"recurrence": recurrence, "datastore": "workspaceblobstore"}, {},
                       {"datastore": "workspaceblobstore", "polling_interval": 0},
                       {"recurrence": ScheduleRecurrence("Hour", 1, hours=[25])},
                       {"recurrence": "Day"}):
            with self.assertRaises(ValueError):
                Schedule.create(ws, "n", "pp", "e", **kwargs)
        with self.assertRaises(ValueError):
            Schedule.create(ws, "", "pp", "e", recurrence=recurrence)
        with self.assertRaises(ValueError):
            Schedule.create(ws, "n", None, "e", recurrence=recurrence)
        self.assertEqual(transport.calls, [])

    def test_endpoint_schedules_list_get_disable_enable_runs(self):
        ws, transport = workspace({
            ("POST", "schedules"): dict(SCHEDULE, publishedPipelineId=None, pipelineEndpoint="ep"),
            ("GET", "schedules"): {"value": [SCHEDULE]},
            ("GET", "schedules/s1"): SCHEDULE,
            ("POST", "schedules/s1/disable"): dict(SCHEDULE, status="Disabled"),
            ("POST", "schedules/s1/enable"): SCHEDULE,
            ("GET", "schedules/s1/runs"): [{"value": [{"id": "r2"}], "continuationToken": "t"},
                                           {"value": [{"id": "r1"}]}]})
        created = Schedule.create_for_pipeline_endpoint(ws, "n", "ep", "e", recurrence=ScheduleRecurrence("Day", 1))
        self.assertEqual(transport.last("POST", "schedules")["json_body"]["pipelineEndpoint"], "ep")
        self.assertEqual(created.pipeline_endpoint_id, "ep")
        listed = Schedule.list(ws, pipeline_id="pp")
        self.assertEqual(transport.last("GET", "schedules")["query"],
                         {"status": "Active", "publishedPipelineId": "pp", "pipelineEndpoint": None})
        Schedule.list(ws, active_only=False)
        self.assertIsNone(transport.last("GET", "schedules")["query"]["status"])
        schedule = Schedule.get(ws, listed[0].id)
        schedule.disable()
        self.assertEqual(schedule.status, "Disabled")
        schedule.enable()
        self.assertEqual(schedule.status, "Active")
        self.assertEqual([r.id for r in schedule.get_pipeline_runs()], ["r2", "r1"])
