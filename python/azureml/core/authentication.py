"""Authentication as in ``azureml.core.authentication``: objects that give the bearer token for the Sluice API.

Against the local stack (a ``localhost`` URL) every class signs a development token with the key the local host
keeps under ``.sluice/auth/`` — the Azure credentials mean nothing there. Against Azure they ask Microsoft Entra ID
for the Sluice API's scope (``SLUICE_API_SCOPE`` or ``api_scope`` in config.json, e.g. ``api://sluice-prod``) with the
standard library only: the Azure CLI's login (``az account get-access-token``), a service principal's secret, or a
managed identity.
"""

import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

from azureml._sluice import tokens as _tokens
from azureml.exceptions import AuthenticationException

__all__ = [
    "AbstractAuthentication",
    "InteractiveLoginAuthentication",
    "AzureCliAuthentication",
    "ServicePrincipalAuthentication",
    "MsiAuthentication",
    "TokenAuthentication",
]



def _authority():
    """Entra ID's host; ``AZURE_AUTHORITY_HOST`` changes it (sovereign clouds), as in azure-identity."""
    return (os.environ.get("AZURE_AUTHORITY_HOST") or "https://login.microsoftonline.com").rstrip("/")


def _scope(scope):
    value = (scope or os.environ.get("SLUICE_API_SCOPE") or "").strip().rstrip("/")
    if not value:
        raise AuthenticationException(
            "Which API to ask Entra ID for is not known: set SLUICE_API_SCOPE (e.g. api://sluice-prod) or "
            '"api_scope" in config.json')
    bare = value.count("/") == 2 and "://" in value
    return value + "/.default" if bare or (len(value) == 36 and value.count("-") == 4) else value


def _resource(scope):
    return scope[: -len("/.default")] if scope.endswith("/.default") else scope


class AbstractAuthentication(object):
    """The base of the authentication classes. ``get_authentication_header()`` gives ``{"Authorization": ...}``."""

    def __init__(self, cloud=None):
        self._cloud = cloud
        self._url = None  # set by the Workspace it is used with
        self._scope = None
        self._local = None
        self._cache = _tokens.CachedToken(self._fetch)

    def _bind(self, url, scope=None):
        self._url = url
        self._scope = scope or self._scope
        return self

    def _service_url(self):
        if self._url is None:
            from azureml.core.workspace import _discover

            found = _discover()
            self._url, self._scope = found["url"], self._scope or found.get("api_scope")
        return self._url

    def _get_token(self):
        if _tokens.is_local_url(self._service_url()):
            if self._local is None:
                self._local = _tokens.local_token_provider()
            return self._local()
        return self._cache()

    def _fetch(self):
        """``(token, expires_at)`` from Entra ID; implemented by each class."""
        raise NotImplementedError

    def get_authentication_header(self):
        """The header that authorizes a call to the Sluice API: ``{"Authorization": "Bearer <token>"}``."""
        return {"Authorization": "Bearer " + self._get_token()}

    def get_token(self, *scopes, **kwargs):
        """The current token and its expiry, as azure-identity's ``AccessToken`` tuple would give them."""
        token = self._get_token()
        return token, int(time.time()) + 3600


class InteractiveLoginAuthentication(AbstractAuthentication):
    """The signed-in user (``SLUICE_TOKEN``, when set, is used as it is). In Azure, tokens come from the Azure CLI's login (``az account get-access-token``); when
    ``az`` is not installed or not logged in, or with ``force=True``, from a device-code sign-in: it prints a code to
    enter at https://microsoft.com/devicelogin and waits. The Sluice app registration pre-authorizes the Azure CLI's
    client id (scripts/entra-app.sh), which the device-code sign-in uses too."""

    def __init__(self, force=False, tenant_id=None, cloud=None):
        AbstractAuthentication.__init__(self, cloud)
        self._force = force
        self._tenant_id = tenant_id
        self._refresh_token = None

    def _get_token(self):
        token = os.environ.get("SLUICE_TOKEN")
        return token if token else AbstractAuthentication._get_token(self)

    def _fetch(self):
        scope = _scope(self._scope)
        if self._refresh_token:
            try:
                return self._redeem({"grant_type": "refresh_token", "refresh_token": self._refresh_token,
                                     "scope": scope})
            except AuthenticationException:
                self._refresh_token = None
        if not self._force:
            try:
                return _az_token(scope, self._tenant_id)
            except AuthenticationException as err:
                print("%s\nSigning in with a device code instead." % err)
        return self._device_code(scope)

    def _token_url(self):
        return "%s/%s/oauth2/v2.0/token" % (_authority(), urllib.parse.quote(self._tenant_id or "organizations"))

    def _redeem(self, fields):
        body = _post_form_json(self._token_url(), dict(fields, client_id=AZURE_CLI_CLIENT_ID))
        self._refresh_token = body.get("refresh_token") or self._refresh_token
        return _token_of(body)

    def _device_code(self, scope, sleep=time.sleep, clock=time.time):
        url = "%s/%s/oauth2/v2.0/devicecode" % (_authority(), urllib.parse.quote(self._tenant_id or "organizations"))
        code = _post_form_json(url, {"client_id": AZURE_CLI_CLIENT_ID, "scope": scope + " offline_access"})
        print(code.get("message") or "To sign in, open %s and enter the code %s" % (
            code.get("verification_uri"), code.get("user_code")))
        interval = float(code.get("interval", 5))
        deadline = clock() + float(code.get("expires_in", 900))
        while clock() < deadline:
            sleep(interval)
            try:
                return self._redeem({"grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                                     "device_code": code["device_code"]})
            except _Pending as pending:
                if pending.slow_down:
                    interval += 5
        raise AuthenticationException("The device code expired before the sign-in finished; try again")


AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"


class _Pending(AuthenticationException):
    """The device-code sign-in has not finished yet (``authorization_pending``/``slow_down``)."""

    def __init__(self, slow_down):
        AuthenticationException.__init__(self, "sign-in pending")
        self.slow_down = slow_down


def _post_form_json(url, fields):
    request = urllib.request.Request(url, data=urllib.parse.urlencode(fields).encode("ascii"), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        try:
            detail = json.loads(err.read().decode("utf-8"))
        except ValueError:
            detail = {}
        if detail.get("error") in ("authorization_pending", "slow_down"):
            raise _Pending(detail["error"] == "slow_down")
        why = detail.get("error_description") or detail.get("error") or err.reason
        raise AuthenticationException("Getting a token from %s failed (HTTP %d): %s"
                                      % (request.host, err.code, str(why).splitlines()[0]))
    except (urllib.error.URLError, OSError) as err:
        raise AuthenticationException("Could not reach %s for a token: %s" % (request.host, err))


def _token_of(body):
    expires = body.get("expires_on")
    expires_at = float(expires) if expires else time.time() + float(body.get("expires_in", 300))
    return body["access_token"], expires_at


class AzureCliAuthentication(InteractiveLoginAuthentication):
    """Tokens from the Azure CLI's login."""

    def __init__(self, cloud=None):
        InteractiveLoginAuthentication.__init__(self, cloud=cloud)

    def _fetch(self):
        return _az_token(_scope(self._scope), self._tenant_id)


def _az_token(scope, tenant_id=None):
    az = shutil.which("az")
    if not az:
        raise AuthenticationException("The Azure CLI (az) is not installed; install it and run `az login`, or use "
                                      "ServicePrincipalAuthentication or MsiAuthentication")
    args = [az, "account", "get-access-token", "--scope", scope, "--output", "json"]
    if tenant_id:
        args += ["--tenant", tenant_id]
    result = subprocess.run(args, capture_output=True, text=True)  # no shell
    if result.returncode != 0:
        raise AuthenticationException("`az account get-access-token` failed: %s Run `az login` (add "
                                      "--use-device-code without a browser) and try again."
                                      % (result.stderr.strip().splitlines() or ["(no message)"])[-1])
    answer = json.loads(result.stdout)
    expires = answer.get("expires_on")
    return answer["accessToken"], float(expires) if expires else time.time() + 300


def _post_form(url, fields):
    return _token_of(_post_form_json(url, fields))


def _read_token(request):
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        try:
            detail = json.loads(err.read().decode("utf-8"))
            why = detail.get("error_description") or detail.get("error") or err.reason
        except ValueError:
            why = err.reason
        raise AuthenticationException("Getting a token from %s failed (HTTP %d): %s"
                                      % (request.host, err.code, str(why).splitlines()[0]))
    except (urllib.error.URLError, OSError) as err:
        raise AuthenticationException("Could not reach %s for a token: %s" % (request.host, err))
    return _token_of(body)


class ServicePrincipalAuthentication(AbstractAuthentication):
    """A service principal (application) with a client secret: the OAuth client-credentials grant."""

    def __init__(self, tenant_id, service_principal_id, service_principal_password, cloud="AzureCloud",
                 _enable_caching=True):
        AbstractAuthentication.__init__(self, cloud)
        for name, value in (("tenant_id", tenant_id), ("service_principal_id", service_principal_id),
                            ("service_principal_password", service_principal_password)):
            if not value or not isinstance(value, str):
                raise AuthenticationException("ServicePrincipalAuthentication needs %s (a non-empty string)" % name)
        self._tenant_id = tenant_id
        self._client_id = service_principal_id
        self._secret = service_principal_password

    def _fetch(self):
        return _post_form("%s/%s/oauth2/v2.0/token" % (_authority(), urllib.parse.quote(self._tenant_id)), {
            "grant_type": "client_credentials", "client_id": self._client_id, "client_secret": self._secret,
            "scope": _scope(self._scope)})

    def __repr__(self):  # never show the secret
        return "ServicePrincipalAuthentication(tenant_id=%r, service_principal_id=%r)" % (self._tenant_id,
                                                                                          self._client_id)


class MsiAuthentication(AbstractAuthentication):
    """The managed identity of the Azure resource the code runs on (App Service, Functions, Container Apps: the
    ``IDENTITY_ENDPOINT``; virtual machines: the instance metadata service). ``identity_config`` may name a
    user-assigned identity: ``{"client_id": "..."}``."""

    def __init__(self, identity_config=None, cloud=None):
        AbstractAuthentication.__init__(self, cloud)
        self._identity_config = dict(identity_config or {})

    def _fetch(self):
        resource = _resource(_scope(self._scope))
        query = {"resource": resource}
        client_id = self._identity_config.get("client_id") or os.environ.get("AZURE_CLIENT_ID")
        if client_id:
            query["client_id"] = client_id
        endpoint, header = os.environ.get("IDENTITY_ENDPOINT"), os.environ.get("IDENTITY_HEADER")
        if endpoint and header:
            query["api-version"] = "2019-08-01"
            request = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode(query),
                                             headers={"X-IDENTITY-HEADER": header})
        else:
            query["api-version"] = "2018-02-01"
            request = urllib.request.Request(
                "http://169.254.169.254/metadata/identity/oauth2/token?" + urllib.parse.urlencode(query),
                headers={"Metadata": "true"})
        return _read_token(request)


class TokenAuthentication(AbstractAuthentication):
    """Tokens from your own function: ``get_token_for_audience(audience) -> token`` (or ``(token, expires_on)``)."""

    def __init__(self, get_token_for_audience, cloud=None):
        AbstractAuthentication.__init__(self, cloud)
        self._get = get_token_for_audience

    def _get_token(self):
        return self._cache()

    def _fetch(self):
        got = self._get(_resource(self._scope or os.environ.get("SLUICE_API_SCOPE") or ""))
        if isinstance(got, tuple):
            return got[0], float(got[1])
        return got, time.time() + 300


class _StaticTokenAuthentication(AbstractAuthentication):
    """A fixed token (``SLUICE_TOKEN``, e.g. from ``npx sluice token``)."""

    def __init__(self, token):
        AbstractAuthentication.__init__(self)
        self._token = token

    def _get_token(self):
        return self._token
