"""``Schedule``, ``ScheduleRecurrence`` and ``TimeZone`` (``azureml.pipeline.core.schedule``, as in Azure ML), over
``/api/schedules`` (docs/schedules.md)."""

import datetime
import re

from azureml._sluice.http import api_path

__all__ = ["Schedule", "ScheduleRecurrence", "TimeZone"]

FREQUENCIES = ("Minute", "Hour", "Day", "Week", "Month")
WEEK_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TimeZone(object):
    """A few of Azure ML's ``TimeZone`` values (Windows time-zone ids); any Windows id or IANA name is accepted as a
    string too."""

    UTC = "UTC"
    GMTStandardTime = "GMT Standard Time"
    WEuropeStandardTime = "W. Europe Standard Time"
    CentralEuropeStandardTime = "Central Europe Standard Time"
    EasternStandardTime = "Eastern Standard Time"
    CentralStandardTime = "Central Standard Time"
    MountainStandardTime = "Mountain Standard Time"
    PacificStandardTime = "Pacific Standard Time"
    IndiaStandardTime = "India Standard Time"
    ChinaStandardTime = "China Standard Time"
    TokyoStandardTime = "Tokyo Standard Time"
    AUSEasternStandardTime = "AUS Eastern Standard Time"


class ScheduleRecurrence(object):
    """``ScheduleRecurrence(frequency, interval, start_time=None, time_zone=None, hours=None, minutes=None,
    week_days=None, time_of_day=None)``; ``validate()`` raises ``ValueError`` with Azure ML's messages, and
    ``Schedule.create`` calls it."""

    def __init__(self, frequency, interval, start_time=None, time_zone=None, hours=None, minutes=None,
                 week_days=None, time_of_day=None):
        self.frequency = frequency
        self.interval = interval
        self.start_time = start_time
        self.time_zone = time_zone
        self.hours = hours
        self.minutes = minutes
        self.week_days = week_days
        self.time_of_day = time_of_day

    def validate(self):
        if self.frequency not in FREQUENCIES:
            raise ValueError("Invalid value for frequency, only one of Minute, Hour, Day, Week, or Month accepted.")
        if isinstance(self.interval, bool) or not isinstance(self.interval, int) or self.interval < 1:
            raise ValueError("Interval must be an integer greater than 0.")
        day_or_week = self.frequency in ("Day", "Week")
        if self.hours is not None and not day_or_week:
            raise ValueError("Can only specify hours if frequency is Week or Day")
        if self.minutes is not None and not day_or_week:
            raise ValueError("Can only specify minutes if frequency is Week or Day")
        if self.time_of_day is not None and not day_or_week:
            raise ValueError("Can only specify time_of_day if frequency is Week or Day")
        if self.week_days is not None and self.frequency != "Week":
            raise ValueError("Can only specify week days if frequency is Week")
        _check_list(self.hours, 23, "Hours must be between 0 and 23.",
                    "Hours must be a list of integers between 0 and 23, e.g. [9, 17].")
        _check_list(self.minutes, 59, "Minutes must be between 0 and 59.",
                    "Minutes must be a list of integers between 0 and 59, e.g. [0, 30].")
        if self.week_days is not None:
            if not isinstance(self.week_days, (list, tuple)) or not self.week_days:
                raise ValueError('Week days must be a list of day names, e.g. ["Monday", "Friday"].')
            for day in self.week_days:
                if day not in WEEK_DAYS:
                    raise ValueError("Week days must be a list of day names, accepted values: %s; %r is not one of "
                                     "them." % (", ".join(WEEK_DAYS), day))
        if self.time_of_day is not None:
            if self.hours is not None or self.minutes is not None:
                raise ValueError("Can not specify time_of_day and hours or minutes")
            match = re.match(r"^(\d{1,2}):(\d{2})$", str(self.time_of_day))
            if not match:
                raise ValueError('time_of_day should be in the format hh:mm, e.g. "09:30".')
            if int(match.group(1)) > 23:
                raise ValueError("Time of day hour value must be between 0 and 23.")
            if int(match.group(2)) > 59:
                raise ValueError("Time of day minute value must be between 0 and 59.")
        if self.start_time is not None:
            _start_time_text(self.start_time)

    def _json(self):
        body = {"frequency": self.frequency, "interval": self.interval}
        if self.start_time is not None:
            body["startTime"] = _start_time_text(self.start_time)
        if self.time_zone is not None:
            body["timeZone"] = getattr(self.time_zone, "value", self.time_zone)
        if self.hours is not None:
            body["hours"] = list(self.hours)
        if self.minutes is not None:
            body["minutes"] = list(self.minutes)
        if self.week_days is not None:
            body["weekDays"] = list(self.week_days)
        if self.time_of_day is not None:
            body["timeOfDay"] = self.time_of_day
        return body

    @classmethod
    def _from_json(cls, record):
        if not record:
            return None
        return cls(record.get("frequency"), record.get("interval"), record.get("startTime"), record.get("timeZone"),
                   record.get("hours"), record.get("minutes"), record.get("weekDays"), record.get("timeOfDay"))

    def __repr__(self):
        return "ScheduleRecurrence(%s)" % ", ".join("%s=%r" % (k, v) for k, v in self._json().items())


def _check_list(values, highest, range_message, type_message):
    if values is None:
        return
    if not isinstance(values, (list, tuple)):
        raise ValueError(type_message)
    if not values:
        raise ValueError(type_message)
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(type_message)
        if value < 0 or value > highest:
            raise ValueError(range_message)


def _start_time_text(start_time):
    """A local date and time ``YYYY-MM-DDThh:mm:ss`` (the time zone goes in ``time_zone``)."""
    if isinstance(start_time, datetime.datetime):
        if start_time.tzinfo is not None and start_time.utcoffset() is not None:
            raise ValueError("Can not specify a UTC offset in start_time, use time_zone instead.")
        return start_time.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(start_time, str):
        if re.search(r"(Z|[+-]\d{2}:?\d{2})$", start_time):
            raise ValueError("Can not specify a UTC offset or \"Z\" in start_time, use time_zone instead.")
        try:
            parsed = datetime.datetime.strptime(start_time, "%Y-%m-%dT%H:%M:%S" if start_time.count(":") == 2
                                                else "%Y-%m-%dT%H:%M")
        except ValueError:
            raise ValueError("start_time must be a local date and time in the format YYYY-MM-DDThh:mm:ss, e.g. "
                             "\"2024-01-31T09:00:00\".")
        return parsed.strftime("%Y-%m-%dT%H:%M:%S")
    raise ValueError("start_time must be a datetime or a string YYYY-MM-DDThh:mm:ss")


class Schedule(object):
    """A schedule that runs a published pipeline (or a pipeline endpoint) on a recurrence or when data lands."""

    def __init__(self, workspace, id, name, description, pipeline_id, status, recurrence, datastore_name,
                 polling_interval, data_path_parameter_name, continue_on_step_failure, path_on_datastore,
                 _schedule_provider=None, pipeline_endpoint_id=None, **kwargs):
        self._workspace = workspace
        self._id = id
        self._name = name
        self._description = description
        self._pipeline_id = pipeline_id
        self._pipeline_endpoint_id = pipeline_endpoint_id
        self._status = status
        self._recurrence = recurrence
        self._datastore_name = datastore_name
        self._polling_interval = polling_interval
        self._data_path_parameter_name = data_path_parameter_name
        self._continue_on_step_failure = continue_on_step_failure
        self._path_on_datastore = path_on_datastore
        self._record = kwargs.get("_record") or {}

    id = property(lambda self: self._id)
    name = property(lambda self: self._name)
    description = property(lambda self: self._description)
    pipeline_id = property(lambda self: self._pipeline_id)
    pipeline_endpoint_id = property(lambda self: self._pipeline_endpoint_id)
    status = property(lambda self: self._status)
    recurrence = property(lambda self: self._recurrence)
    datastore_name = property(lambda self: self._datastore_name)
    polling_interval = property(lambda self: self._polling_interval)
    data_path_parameter_name = property(lambda self: self._data_path_parameter_name)
    continue_on_step_failure = property(lambda self: self._continue_on_step_failure)
    path_on_datastore = property(lambda self: self._path_on_datastore)

    @property
    def next_fire_times(self):
        """The next five fire times (UTC), as the service computed them (our addition)."""
        return list((self._record.get("state") or {}).get("nextFireTimes") or [])

    @classmethod
    def _from_json(cls, workspace, record):
        trigger = record.get("dataTrigger") or {}
        return cls(workspace, record["id"], record.get("name"), record.get("description"),
                   record.get("publishedPipelineId"), record.get("status"),
                   ScheduleRecurrence._from_json(record.get("recurrence")), trigger.get("datastore"),
                   trigger.get("pollingIntervalMinutes"), trigger.get("dataPathParameterName"),
                   record.get("continueOnStepFailure"), trigger.get("path"),
                   pipeline_endpoint_id=record.get("pipelineEndpoint"), _record=record)

    @staticmethod
    def create(workspace, name, pipeline_id, experiment_name, recurrence=None, description=None,
               pipeline_parameters=None, wait_for_provisioning=False, wait_timeout=3600, datastore=None,
               polling_interval=5, data_path_parameter_name=None, continue_on_step_failure=None,
               path_on_datastore=None, _workflow_provider=None, _service_endpoint=None):
        """A schedule of the published pipeline ``pipeline_id``: on ``recurrence``, or when blobs land under
        ``path_on_datastore`` of ``datastore``."""
        return Schedule._create(workspace, name, experiment_name, recurrence, description, pipeline_parameters,
                                datastore, polling_interval, data_path_parameter_name, continue_on_step_failure,
                                path_on_datastore, {"publishedPipelineId": pipeline_id}, "pipeline_id")

    @staticmethod
    def create_for_pipeline_endpoint(workspace, name, pipeline_endpoint_id, experiment_name, recurrence=None,
                                     description=None, pipeline_parameters=None, wait_for_provisioning=False,
                                     wait_timeout=3600, datastore=None, polling_interval=5,
                                     data_path_parameter_name=None, continue_on_step_failure=None,
                                     path_on_datastore=None, _workflow_provider=None, _service_endpoint=None):
        """A schedule that runs a pipeline endpoint's default version (at each run)."""
        return Schedule._create(workspace, name, experiment_name, recurrence, description, pipeline_parameters,
                                datastore, polling_interval, data_path_parameter_name, continue_on_step_failure,
                                path_on_datastore, {"pipelineEndpoint": pipeline_endpoint_id},
                                "pipeline_endpoint_id")

    @staticmethod
    def _create(workspace, name, experiment_name, recurrence, description, pipeline_parameters, datastore,
                polling_interval, data_path_parameter_name, continue_on_step_failure, path_on_datastore, target,
                target_field):
        from azureml._sluice.names import datastore_name
        from azureml.pipeline.core.graph import _split_parameters

        if not name or not isinstance(name, str):
            raise ValueError("Schedule.create needs name, the schedule's name")
        if not list(target.values())[0]:
            raise ValueError("Schedule.create needs %s" % target_field)
        if not experiment_name or not isinstance(experiment_name, str):
            raise ValueError("Schedule.create needs experiment_name, the experiment its runs belong to")
        if recurrence is not None and datastore is not None:
            raise ValueError("Specify either recurrence or datastore, not both: a schedule runs on a recurrence or "
                             "when data changes")
        if recurrence is None and datastore is None:
            raise ValueError("Specify either recurrence or datastore: a ScheduleRecurrence, or the datastore (with "
                             "path_on_datastore) whose new blobs start runs")
        body = {"name": name, "experimentName": experiment_name}
        body.update(target)
        if description is not None:
            body["description"] = description
        if continue_on_step_failure is not None:
            body["continueOnStepFailure"] = bool(continue_on_step_failure)
        if pipeline_parameters:
            parameters, data_paths = _split_parameters(pipeline_parameters)
            if parameters:
                body["parameters"] = parameters
            if data_paths:
                body["dataPaths"] = data_paths
        if recurrence is not None:
            if not isinstance(recurrence, ScheduleRecurrence):
                raise ValueError("recurrence must be a ScheduleRecurrence")
            recurrence.validate()
            body["recurrence"] = recurrence._json()
        else:
            if isinstance(polling_interval, bool) or not isinstance(polling_interval, int) or \
                    not 1 <= polling_interval <= 1440:
                raise ValueError("polling_interval must be a whole number of minutes from 1 to 1440")
            trigger = {"datastore": datastore_name(datastore), "path": path_on_datastore or "",
                       "pollingIntervalMinutes": polling_interval}
            if data_path_parameter_name is not None:
                trigger["dataPathParameterName"] = data_path_parameter_name
            body["dataTrigger"] = trigger
        record = workspace._transport.json("POST", "schedules", json_body=body)
        return Schedule._from_json(workspace, record)

    @staticmethod
    def get(workspace, id, _workflow_provider=None, _service_endpoint=None):
        if not id:
            raise ValueError("Schedule.get needs id, the schedule's id")
        return Schedule._from_json(workspace, workspace._transport.json("GET", api_path("schedules", id)))

    @staticmethod
    def list(workspace, active_only=True, pipeline_id=None, pipeline_endpoint_id=None, _workflow_provider=None,
             _service_endpoint=None):
        query = {"status": "Active" if active_only else None, "publishedPipelineId": pipeline_id,
                 "pipelineEndpoint": pipeline_endpoint_id}
        answer = workspace._transport.json("GET", "schedules", query=query)
        return [Schedule._from_json(workspace, r) for r in answer.get("value", [])]

    @staticmethod
    def get_schedules_for_pipeline_id(workspace, pipeline_id, _workflow_provider=None, _service_endpoint=None):
        return Schedule.list(workspace, active_only=False, pipeline_id=pipeline_id)

    @staticmethod
    def get_schedules_for_pipeline_endpoint_id(workspace, pipeline_endpoint_id, _workflow_provider=None,
                                               _service_endpoint=None):
        return Schedule.list(workspace, active_only=False, pipeline_endpoint_id=pipeline_endpoint_id)

    def _set(self, verb):
        record = self._workspace._transport.json("POST", api_path("schedules", self._id, verb))
        self.__dict__.update(Schedule._from_json(self._workspace, record).__dict__)

    def disable(self, wait_for_provisioning=False, wait_timeout=3600):
        self._set("disable")

    def enable(self, wait_for_provisioning=False, wait_timeout=3600):
        self._set("enable")

    def update(self, name=None, description=None, recurrence=None, pipeline_parameters=None, status=None,
               wait_for_provisioning=False, wait_timeout=3600, datastore=None, polling_interval=None,
               data_path_parameter_name=None, continue_on_step_failure=None, path_on_datastore=None):
        body = {}
        if name is not None:
            body["name"] = name
        if description is not None:
            body["description"] = description
        if recurrence is not None:
            recurrence.validate()
            body["recurrence"] = recurrence._json()
        if pipeline_parameters is not None:
            from azureml.pipeline.core.graph import _split_parameters

            body["parameters"], data_paths = _split_parameters(pipeline_parameters)
            if data_paths:
                body["dataPaths"] = data_paths
        if continue_on_step_failure is not None:
            body["continueOnStepFailure"] = bool(continue_on_step_failure)
        if datastore is not None or path_on_datastore is not None or polling_interval is not None:
            from azureml._sluice.names import datastore_name

            trigger = {"datastore": datastore_name(datastore or self._datastore_name),
                       "path": path_on_datastore if path_on_datastore is not None else (self._path_on_datastore or
                                                                                       "")}
            trigger["pollingIntervalMinutes"] = polling_interval or self._polling_interval or 5
            if data_path_parameter_name or self._data_path_parameter_name:
                trigger["dataPathParameterName"] = data_path_parameter_name or self._data_path_parameter_name
            body["dataTrigger"] = trigger
        if body:
            record = self._workspace._transport.json("PATCH", api_path("schedules", self._id), json_body=body)
            self.__dict__.update(Schedule._from_json(self._workspace, record).__dict__)
        if status == "Disabled":
            self.disable()
        elif status == "Active":
            self.enable()

    def get_pipeline_runs(self):
        """The runs this schedule started, newest first (``PipelineRun`` objects)."""
        from azureml.core.experiment import Experiment
        from azureml.pipeline.core.run import PipelineRun

        experiment = Experiment(self._workspace, self._record.get("experimentName") or "schedule",
                                _skip_name_validation=True)
        runs, token = [], None
        while True:
            page = self._workspace._transport.json("GET", api_path("schedules", self._id, "runs"),
                                                   query={"continuationToken": token})
            runs.extend(PipelineRun(experiment, r["id"]) for r in page.get("value", []))
            token = page.get("continuationToken")
            if not token:
                return runs

    def get_last_pipeline_run(self):
        runs = self.get_pipeline_runs()
        return runs[0] if runs else None

    def __repr__(self):
        return "Schedule(Name: %s, Id: %s, Status: %s, Pipeline Id: %s, Recurrence Details: %r)" % (
            self._name, self._id, self._status, self._pipeline_id or self._pipeline_endpoint_id, self._recurrence)
