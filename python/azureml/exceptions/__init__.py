"""The exceptions of the Azure ML SDK v1 that user code catches, raised by Sluice's ``azureml`` package.

Every one is an ``AzureMLException``. Errors answered by the Sluice API carry what the server said:
``status_code`` (0 when no answer came), ``code`` (``NotFound``, ``InvalidPipelineSpec``, ...), ``details`` (for a 400,
``details["issues"]`` lists each field problem) and ``request_id`` (quote it when reporting a server fault).
"""

__all__ = [
    "AzureMLException",
    "UserErrorException",
    "AuthenticationException",
    "WorkspaceException",
    "ProjectSystemException",
    "ExperimentExecutionException",
    "ActivityFailedException",
    "ComputeTargetException",
    "RunEnvironmentException",
    "SnapshotException",
    "TrainingException",
    "ModelNotFoundException",
    "ModelPathNotFoundException",
    "WebserviceException",
    "DiscoveryUrlNotFoundException",
    "ServiceException",
]


class AzureMLException(Exception):
    """The base of every error raised by the package."""

    def __init__(self, exception_message="", inner_exception=None, status_code=None, code=None, details=None,
                 request_id=None, **kwargs):
        Exception.__init__(self, exception_message)
        self.message = exception_message
        self.inner_exception = inner_exception
        self.status_code = status_code
        self.code = code
        self.details = details
        self.request_id = request_id

    @property
    def issues(self):
        """The field problems the server listed for a 400 (``[{"path", "message"}, ...]``)."""
        details = self.details if isinstance(self.details, dict) else {}
        issues = details.get("issues")
        return [i for i in issues if isinstance(i, dict)] if isinstance(issues, list) else []

    def __str__(self):
        return self.message


class UserErrorException(AzureMLException):
    """Bad input: the message names the argument or field and how to fix it."""


class AuthenticationException(UserErrorException):
    """No token could be obtained, or the service refused it (401/403)."""


class WorkspaceException(AzureMLException):
    """The workspace could not be found or reached."""


class ProjectSystemException(AzureMLException):
    pass


class ExperimentExecutionException(AzureMLException):
    """A submit failed."""


class ActivityFailedException(AzureMLException):
    """``wait_for_completion(raise_on_error=True)`` on a run that ended Failed or Canceled."""


class ComputeTargetException(AzureMLException):
    """A compute target is unknown or could not be used."""


class RunEnvironmentException(AzureMLException):
    pass


class SnapshotException(AzureMLException):
    """A source directory could not be packed or uploaded."""


class TrainingException(AzureMLException):
    pass


class ModelNotFoundException(AzureMLException):
    pass


class ModelPathNotFoundException(AzureMLException):
    pass


class WebserviceException(AzureMLException):
    pass


class DiscoveryUrlNotFoundException(AzureMLException):
    pass


class ServiceException(AzureMLException):
    """The service failed (5xx) or could not be reached (``status_code`` 0)."""
