"""Bearer tokens for the Sluice API.

- The local stack trusts its development key, an RS256 key pair kept as a private JWK in
  ``<app folder>/.sluice/auth/signing-key.jwk.json`` (the host creates it on first start). ``local_token`` signs a
  token with it exactly as ``sluice token`` does (issuer ``sluice-local``, audience ``api://sluice-local``, a role), in
  pure Python: RSASSA-PKCS1-v1_5 over SHA-256 is one modular exponentiation.
- In Azure, tokens come from Microsoft Entra ID for the API's scope (``SLUICE_API_SCOPE``, e.g. ``api://sluice-prod``):
  the Azure CLI's login, a service principal's secret, or a managed identity (see ``azureml.core.authentication``).
"""

import base64
import hashlib
import json
import os
import time
import uuid

from azureml.exceptions import AuthenticationException

LOCAL_ISSUER = "sluice-local"
LOCAL_AUDIENCE = "api://sluice-local"
KEY_FOLDER = os.path.join(".sluice", "auth")
KEY_FILE = "signing-key.jwk.json"
ROLES = ("Sluice.Read", "Sluice.Run", "Sluice.Admin")

# DER prefix of a DigestInfo holding a SHA-256 digest (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(text):
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return int.from_bytes(raw, "big")


def is_local_url(url):
    """True for URLs of this machine (localhost, 127.0.0.1, ::1), where the local stack and its key live."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        from azureml.exceptions import UserErrorException

        raise UserErrorException('"%s" is not an http(s) URL; write it like http://localhost:7071' % url)
    host = parts.hostname.lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.endswith(".localhost")


def find_key_dir(start=None):
    """The nearest folder at or above ``start`` (default: the current folder) holding the development key, as git
    finds ``.git``; ``SLUICE_APP_DIR`` names it directly. None when there is none."""
    explicit = os.environ.get("SLUICE_APP_DIR")
    if explicit:
        return explicit if os.path.exists(os.path.join(explicit, KEY_FOLDER, KEY_FILE)) else None
    directory = os.path.abspath(start or os.getcwd())
    while True:
        if os.path.exists(os.path.join(directory, KEY_FOLDER, KEY_FILE)):
            return directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


class LocalSigningKey(object):
    """The development key, loaded from its JWK file."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path, "r", encoding="utf-8") as f:
                jwk = json.load(f)
        except (OSError, ValueError) as err:
            raise AuthenticationException("Could not read the development key %s (%s); start the local stack with "
                                          "`npm start` to create it" % (path, err))
        if not isinstance(jwk, dict) or jwk.get("kty") != "RSA" or not all(jwk.get(k) for k in ("n", "e", "d", "kid")):
            raise AuthenticationException("The development key %s is damaged (not a private RSA JWK with a kid); "
                                          "delete it and start the local stack again" % path)
        self.kid = jwk["kid"]
        self._n = _b64url_int(jwk["n"])
        self._d = _b64url_int(jwk["d"])
        self._crt = None
        if all(jwk.get(k) for k in ("p", "q", "dp", "dq", "qi")):
            self._crt = tuple(_b64url_int(jwk[k]) for k in ("p", "q", "dp", "dq", "qi"))
        self._size = (self._n.bit_length() + 7) // 8

    @classmethod
    def find(cls, start=None):
        directory = find_key_dir(start)
        if directory is None:
            raise AuthenticationException(
                "No development key found in %s or its parents (.sluice/auth/%s). Start the local stack with "
                "`npm start` in the Sluice folder and run from there, set SLUICE_APP_DIR to that folder, or set "
                "SLUICE_TOKEN to a token from `npx sluice token`." % (os.path.abspath(start or os.getcwd()), KEY_FILE))
        return cls(os.path.join(directory, KEY_FOLDER, KEY_FILE))

    def _sign(self, message):
        digest = hashlib.sha256(message).digest()
        encoded = _SHA256_DIGEST_INFO + digest
        padding = self._size - len(encoded) - 3
        if padding < 8:
            raise AuthenticationException("The development key %s is too small to sign with" % self.path)
        block = int.from_bytes(b"\x00\x01" + b"\xff" * padding + b"\x00" + encoded, "big")
        if self._crt:
            p, q, dp, dq, qi = self._crt
            m1, m2 = pow(block, dp, p), pow(block, dq, q)
            signature = m2 + q * ((qi * (m1 - m2)) % p)
        else:
            signature = pow(block, self._d, self._n)
        return signature.to_bytes(self._size, "big")

    def sign(self, role="Sluice.Admin", subject="local-developer", lifetime=3600, audience=LOCAL_AUDIENCE, now=None):
        """A development token for ``role``, as ``sluice token --role`` makes it."""
        if role not in ROLES:
            raise AuthenticationException("role must be one of %s, not %r" % (", ".join(ROLES), role))
        iat = int(now if now is not None else time.time())
        header = {"alg": "RS256", "kid": self.kid, "typ": "JWT"}
        claims = {"name": subject, "roles": [role], "iss": LOCAL_ISSUER, "aud": audience, "sub": subject,
                  "iat": iat, "nbf": iat, "exp": iat + int(lifetime), "jti": str(uuid.uuid4())}
        signing_input = (_b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         _b64url(json.dumps(claims, separators=(",", ":")).encode()))
        return signing_input + "." + _b64url(self._sign(signing_input.encode("ascii")))


class CachedToken(object):
    """Caches a token from ``fetch() -> (token, expires_at_epoch_seconds)`` until two minutes before it expires."""

    RENEW_BEFORE = 120

    def __init__(self, fetch, clock=time.time):
        self._fetch = fetch
        self._clock = clock
        self._token = None
        self._expires = 0

    def __call__(self):
        if self._token is None or self._clock() >= self._expires - self.RENEW_BEFORE:
            self._token, self._expires = self._fetch()
        return self._token


def local_token_provider(start=None, role="Sluice.Admin"):
    """Tokens signed with the development key found at or above ``start`` (loaded on first use)."""
    state = {}

    def fetch():
        if "key" not in state:
            state["key"] = LocalSigningKey.find(start)
        lifetime = 3600
        return state["key"].sign(role=role, lifetime=lifetime), time.time() + lifetime

    return CachedToken(fetch)
