"""Development tokens (RS256 over the local key) and the authentication classes."""

import base64
import hashlib
import json
import os
import random

from azureml._sluice import tokens
from azureml.core.authentication import InteractiveLoginAuthentication, MsiAuthentication, \
    ServicePrincipalAuthentication, TokenAuthentication
from azureml.core import Workspace
from azureml.exceptions import AuthenticationException

from .support import TempDirTest
from .test_transport import Server


def _probable_prime(bits, rng):
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if all(candidate % p for p in (3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)) and _miller_rabin(candidate, rng):
            return candidate


def _miller_rabin(n, rng, rounds=20):
    d, r = n - 1, 0
    while d % 2 == 0:
        d, r = d // 2, r + 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _b64(n):
    return base64.urlsafe_b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


def make_key(directory, crt=True, seed=7):
    """Writes a private RSA JWK (1024 bits, enough for a test) where the local stack keeps its key."""
    rng = random.Random(seed)
    e = 65537
    while True:
        p, q = _probable_prime(512, rng), _probable_prime(512, rng)
        phi = (p - 1) * (q - 1)
        if p != q and phi % e:
            break
    n, d = p * q, pow(e, -1, phi)
    jwk = {"kty": "RSA", "n": _b64(n), "e": _b64(e), "d": _b64(d), "kid": "test-kid", "alg": "RS256"}
    if crt:
        jwk.update(p=_b64(p), q=_b64(q), dp=_b64(d % (p - 1)), dq=_b64(d % (q - 1)), qi=_b64(pow(q, -1, p)))
    folder = os.path.join(directory, ".sluice", "auth")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "signing-key.jwk.json"), "w") as f:
        json.dump(jwk, f)
    return n, e


def decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class LocalTokens(TempDirTest):
    def verify(self, token, n, e):
        header, claims, signature = token.split(".")
        block = pow(int.from_bytes(decode(signature), "big"), e, n).to_bytes((n.bit_length() + 7) // 8, "big")
        digest = hashlib.sha256((header + "." + claims).encode()).digest()
        self.assertTrue(block.startswith(b"\x00\x01\xff"))
        self.assertTrue(block.endswith(bytes.fromhex("3031300d060960864801650304020105000420") + digest))
        return json.loads(decode(header)), json.loads(decode(claims))

    def test_a_token_signed_as_sluice_token_signs_it(self):
        n, e = make_key(self.dir)
        token = tokens.LocalSigningKey.find().sign(role="Sluice.Run", now=1700000000)
        header, claims = self.verify(token, n, e)
        self.assertEqual(header, {"alg": "RS256", "kid": "test-kid", "typ": "JWT"})
        self.assertEqual({k: claims[k] for k in ("iss", "aud", "roles", "sub", "iat", "nbf", "exp")}, {
            "iss": "sluice-local", "aud": "api://sluice-local", "roles": ["Sluice.Run"], "sub": "local-developer",
            "iat": 1700000000, "nbf": 1700000000, "exp": 1700003600})

    def test_the_crt_and_plain_paths_sign_alike(self):
        make_key(self.dir, crt=True)
        with_crt = tokens.LocalSigningKey.find()
        os.chdir(os.path.join(self.dir, ".sluice"))
        plain_dir = os.path.join(self.dir, "plain")
        make_key(plain_dir, crt=False)
        without = tokens.LocalSigningKey(os.path.join(plain_dir, ".sluice", "auth", "signing-key.jwk.json"))
        message = b"header.claims"
        self.assertEqual(with_crt._sign(message), without._sign(message))

    def test_the_key_is_found_from_a_subfolder_or_through_sluice_app_dir(self):
        make_key(self.dir)
        os.makedirs(os.path.join(self.dir, "a", "b"))
        os.chdir(os.path.join(self.dir, "a", "b"))
        self.assertEqual(tokens.find_key_dir(), self.dir)
        os.chdir("/")
        self.assertIsNone(tokens.find_key_dir())
        os.environ["SLUICE_APP_DIR"] = self.dir
        self.assertEqual(tokens.find_key_dir(), self.dir)

    def test_no_key_says_how_to_get_one(self):
        with self.assertRaises(AuthenticationException) as caught:
            tokens.LocalSigningKey.find()
        self.assertIn("npm start", str(caught.exception))
        self.assertIn("SLUICE_TOKEN", str(caught.exception))

    def test_a_damaged_key_and_a_bad_role(self):
        self.write(".sluice/auth/signing-key.jwk.json", json.dumps({"kty": "EC"}))
        with self.assertRaises(AuthenticationException) as caught:
            tokens.LocalSigningKey.find()
        self.assertIn("damaged", str(caught.exception))
        make_key(self.dir)
        with self.assertRaises(AuthenticationException):
            tokens.LocalSigningKey.find().sign(role="Sluice.Root")

    def test_every_authentication_class_signs_locally_for_a_local_workspace(self):
        n, e = make_key(self.dir)
        for auth in (InteractiveLoginAuthentication(), MsiAuthentication(),
                     ServicePrincipalAuthentication("t", "c", "s")):
            ws = Workspace("s", "r", "w", auth=auth, url="http://localhost:7071")
            header = ws.auth.get_authentication_header()["Authorization"]
            self.assertEqual(self.verify(header[len("Bearer "):], n, e)[1]["roles"], ["Sluice.Admin"])
        # Not bound to a workspace: the URL is discovered (here: the local stack).
        self.assertTrue(InteractiveLoginAuthentication().get_authentication_header()["Authorization"]
                        .startswith("Bearer ey"))


class EntraTokens(TempDirTest):
    def test_service_principal_uses_the_client_credentials_grant(self):
        server = Server([(200, {"access_token": "sp-token", "expires_in": 3600}, {})])
        self.addCleanup(server.close)
        os.environ["AZURE_AUTHORITY_HOST"] = server.url
        self.addCleanup(os.environ.pop, "AZURE_AUTHORITY_HOST")
        auth = ServicePrincipalAuthentication(tenant_id="tid", service_principal_id="app",
                                              service_principal_password="secret")
        ws = Workspace("s", "r", "w", auth=auth, url="https://sluice.example.net")
        os.environ["SLUICE_API_SCOPE"] = "api://sluice-prod"
        self.assertEqual(ws.auth.get_authentication_header(), {"Authorization": "Bearer sp-token"})
        self.assertEqual(ws.auth.get_authentication_header(), {"Authorization": "Bearer sp-token"})
        self.assertEqual(len(server.requests), 1)  # cached
        method, path, _, body = server.requests[0]
        self.assertEqual((method, path), ("POST", "/tid/oauth2/v2.0/token"))
        self.assertIn("scope=api%3A%2F%2Fsluice-prod%2F.default", body.decode())
        self.assertNotIn("secret", repr(auth))

    def test_entra_errors_and_missing_scope(self):
        server = Server([(401, {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid secret"},
                          {})])
        self.addCleanup(server.close)
        os.environ["AZURE_AUTHORITY_HOST"] = server.url
        self.addCleanup(os.environ.pop, "AZURE_AUTHORITY_HOST")
        auth = ServicePrincipalAuthentication("tid", "app", "wrong")._bind("https://sluice.example.net")
        with self.assertRaises(AuthenticationException) as caught:
            auth.get_authentication_header()
        self.assertIn("SLUICE_API_SCOPE", str(caught.exception))
        os.environ["SLUICE_API_SCOPE"] = "api://sluice-prod"
        with self.assertRaises(AuthenticationException) as caught:
            auth.get_authentication_header()
        self.assertIn("AADSTS7000215", str(caught.exception))
        with self.assertRaises(AuthenticationException):
            ServicePrincipalAuthentication("tid", "", "x")

    def test_managed_identity_through_the_identity_endpoint(self):
        server = Server([(200, {"access_token": "msi-token", "expires_on": "9999999999"}, {})])
        self.addCleanup(server.close)
        os.environ.update(IDENTITY_ENDPOINT=server.url + "/msi/token", IDENTITY_HEADER="h-secret",
                          SLUICE_API_SCOPE="api://sluice-prod")
        self.addCleanup(lambda: [os.environ.pop(k) for k in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER")])
        auth = MsiAuthentication(identity_config={"client_id": "uami"})._bind("https://sluice.example.net")
        self.assertEqual(auth.get_authentication_header(), {"Authorization": "Bearer msi-token"})
        _, path, headers, _ = server.requests[0]
        self.assertIn("resource=api%3A%2F%2Fsluice-prod", path)
        self.assertIn("client_id=uami", path)
        self.assertEqual({k.lower(): v for k, v in headers.items()}["x-identity-header"], "h-secret")

    def test_sluice_token_is_the_signed_in_users_token(self):
        os.environ.update(SLUICE_URL="https://sluice.example.net", SLUICE_TOKEN="from-env")
        self.assertEqual(InteractiveLoginAuthentication().get_authentication_header(),
                         {"Authorization": "Bearer from-env"})

    def test_token_authentication_calls_your_function(self):
        auth = TokenAuthentication(lambda audience: ("t-" + audience, 9999999999))
        os.environ["SLUICE_API_SCOPE"] = "api://x"
        self.assertEqual(auth.get_authentication_header(), {"Authorization": "Bearer t-api://x"})


class DeviceCode(TempDirTest):
    def setUp(self):
        TempDirTest.setUp(self)
        self.server = Server([
            (200, {"device_code": "dc", "user_code": "ABC-123", "interval": 0, "expires_in": 60,
                   "message": "To sign in, use a web browser to open the page https://microsoft.com/devicelogin "
                              "and enter the code ABC-123 to authenticate."}, {}),
            (400, {"error": "authorization_pending"}, {}),
            (200, {"access_token": "user-token", "refresh_token": "rt-1", "expires_in": 3600}, {}),
            (200, {"access_token": "refreshed", "refresh_token": "rt-2", "expires_in": 3600}, {})])
        self.addCleanup(self.server.close)
        saved = {k: os.environ.get(k) for k in ("AZURE_AUTHORITY_HOST", "PATH")}
        self.addCleanup(lambda: [os.environ.__setitem__(k, v) for k, v in saved.items() if v is not None])
        os.environ.update(AZURE_AUTHORITY_HOST=self.server.url, PATH=self.dir, SLUICE_API_SCOPE="api://sluice-prod")

    def test_without_the_azure_cli_the_user_signs_in_with_a_device_code(self):
        auth = InteractiveLoginAuthentication(tenant_id="tid")._bind("https://sluice.example.net")
        import contextlib
        import io

        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(auth.get_authentication_header(), {"Authorization": "Bearer user-token"})
        self.assertIn("enter the code ABC-123", out.getvalue())
        self.assertIn("Azure CLI (az) is not installed", out.getvalue())
        paths = [r[1] for r in self.server.requests]
        self.assertEqual(paths, ["/tid/oauth2/v2.0/devicecode", "/tid/oauth2/v2.0/token", "/tid/oauth2/v2.0/token"])
        self.assertIn("client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46", self.server.requests[0][3].decode())
        self.assertIn("scope=api%3A%2F%2Fsluice-prod%2F.default+offline_access", self.server.requests[0][3].decode())
        auth._cache._expires = 0  # the token expired: the refresh token gets the next one, without a prompt
        self.assertEqual(auth.get_authentication_header(), {"Authorization": "Bearer refreshed"})
        self.assertIn("grant_type=refresh_token&refresh_token=rt-1", self.server.requests[3][3].decode())
