"""Source snapshots, packed as the CLI packs them (shared/snapshot/): the files of a ``source_directory`` minus what
its ``.amlignore`` (else ``.gitignore``) excludes, as a deterministic tar.gz, and the content id the server derives
from it — SHA-256 over the line ``sluice-snapshot-v1`` and, per file sorted by UTF-8 path,
``path NUL x|- NUL size NUL sha256(content)``. The same folder therefore gets the same id from Python, the CLI and
the server, so reuse does not depend on which client uploaded it."""

import gzip
import hashlib
import io
import os
import re
import stat
import tarfile

from azureml.exceptions import SnapshotException, UserErrorException

MANIFEST_VERSION = "sluice-snapshot-v1"
SNAPSHOT_MAX_BYTES = 100 * 1024 * 1024
ALWAYS_EXCLUDED = {".git"}


# -- .gitignore / .amlignore patterns (the rules of shared/snapshot/ignore.ts) ---------------------------------------

def _translate(glob):
    out = ""
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "*":
            if i + 1 < len(glob) and glob[i + 1] == "*":
                at_start = i == 0 or glob[i - 1] == "/"
                at_end = i + 2 == len(glob)
                before_slash = i + 2 < len(glob) and glob[i + 2] == "/"
                if at_start and before_slash:
                    out += "(?:.*/)?"
                    i += 3
                    continue
                if at_start and at_end:
                    out += ".*"
                    i += 2
                    continue
                out += "[^/]*"
                i += 2
                continue
            out += "[^/]*"
            i += 1
        elif c == "?":
            out += "[^/]"
            i += 1
        elif c == "[":
            end = _class_end(glob, i)
            if end < 0:
                out += "\\["
                i += 1
                continue
            cls = glob[i + 1:end]
            negated = cls[:1] in ("!", "^")
            if negated:
                cls = cls[1:]
            cls = cls.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
            out += ("(?!/)[^%s]" if negated else "(?!/)[%s]") % cls
            i = end + 1
        elif c == "\\" and i + 1 < len(glob):
            out += re.escape(glob[i + 1])
            i += 2
        else:
            out += re.escape(c)
            i += 1
    return out


def _class_end(glob, start):
    j = start + 1
    if j < len(glob) and glob[j] in ("!", "^"):
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    while j < len(glob):
        if glob[j] == "]":
            return j
        j += 1
    return -1


def _parse_line(raw):
    line = raw
    if line == "" or line.startswith("#"):
        return None
    line = re.sub(r"(?<!\\)\s+$", "", line)
    if line.endswith("\\ "):
        line = line[:-2] + " "
    negate = False
    if line.startswith("!"):
        negate = True
        line = line[1:]
    elif line.startswith("\\!") or line.startswith("\\#"):
        line = line[1:]
    dir_only = False
    if line.endswith("/"):
        dir_only = True
        line = line.rstrip("/")
    if line == "":
        return None
    anchored = "/" in line
    if line.startswith("/"):
        line = line[1:]
    regex = re.compile("^" + ("" if anchored else "(?:.*/)?") + _translate(line) + "$", re.S)
    return regex, negate, dir_only


class IgnoreMatcher(object):
    def __init__(self, text):
        self.rules = [r for r in (_parse_line(line) for line in re.split(r"\r?\n", text)) if r is not None]

    def ignores(self, rel_path, is_dir):
        ignored = False
        for regex, negate, dir_only in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.match(rel_path):
                ignored = not negate
        return ignored


def ignore_file_of(directory):
    for name in (".amlignore", ".gitignore"):
        if os.path.exists(os.path.join(directory, name)):
            return name
    return None


# -- packing -----------------------------------------------------------------------------------------------------

def list_source_files(directory):
    """``[(rel_path, abs_path, executable, size)]`` sorted by UTF-8 path; links are followed, cycles skipped."""
    if not os.path.exists(directory):
        raise UserErrorException('source_directory "%s" does not exist' % directory)
    if not os.path.isdir(directory):
        raise UserErrorException('source_directory "%s" is not a directory' % directory)
    name = ignore_file_of(directory)
    if name:
        with open(os.path.join(directory, name), "r", encoding="utf-8", errors="replace") as f:
            matcher = IgnoreMatcher(f.read())
    else:
        matcher = IgnoreMatcher("")
    files = []
    seen = {os.path.realpath(directory)}

    def walk(abs_dir, rel_dir):
        for entry in sorted(os.listdir(abs_dir)):
            child_abs = os.path.join(abs_dir, entry)
            child_rel = rel_dir + "/" + entry if rel_dir else entry
            try:
                st = os.stat(child_abs)
            except OSError:
                continue  # a dangling link
            if stat.S_ISDIR(st.st_mode):
                if entry in ALWAYS_EXCLUDED or matcher.ignores(child_rel, True):
                    continue
                real = os.path.realpath(child_abs)
                if real in seen:
                    continue
                seen.add(real)
                walk(child_abs, child_rel)
            elif stat.S_ISREG(st.st_mode):
                if matcher.ignores(child_rel, False):
                    continue
                files.append((child_rel, child_abs, bool(st.st_mode & 0o111), st.st_size))

    walk(directory, "")
    return sorted(files, key=lambda f: f[0].encode("utf-8"))


def snapshot_id(entries):
    """The content id of ``[(path, executable, size, sha256_hex)]``."""
    digest = hashlib.sha256((MANIFEST_VERSION + "\n").encode("utf-8"))
    for path, executable, size, sha in sorted(entries, key=lambda e: e[0].encode("utf-8")):
        digest.update(("%s\0%s\0%d\0%s\n" % (path, "x" if executable else "-", size, sha)).encode("utf-8"))
    return digest.hexdigest()


class PackedSnapshot(object):
    def __init__(self, id, archive, files):
        self.id = id
        self.archive = archive
        self.files = files


def pack_snapshot(directory, max_bytes=SNAPSHOT_MAX_BYTES):
    """Packs ``directory`` into a deterministic tar.gz (mode 0644/0755, mtime 0, owner 0:0, no gzip name or time)."""
    sources = list_source_files(directory)
    total = sum(f[3] for f in sources)
    if total > max_bytes * 10:
        raise _too_large(directory, total, max_bytes, sources)
    raw = io.BytesIO()
    manifest = []
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel, abs_path, executable, _size in sources:
            with open(abs_path, "rb") as f:
                content = f.read()
            info = tarfile.TarInfo(rel)
            info.size = len(content)
            info.mode = 0o755 if executable else 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
            manifest.append((rel, executable, len(content), hashlib.sha256(content).hexdigest()))
    archive = gzip.compress(raw.getvalue(), compresslevel=9, mtime=0)
    if len(archive) > max_bytes:
        raise _too_large(directory, len(archive), max_bytes, sources)
    return PackedSnapshot(snapshot_id(manifest), archive, manifest)


def _mib(n):
    return "%.1f MiB" % (n / 1024.0 / 1024.0)


def _too_large(directory, size, max_bytes, sources):
    largest = ", ".join("%s (%s)" % (f[0], _mib(f[3])) for f in sorted(sources, key=lambda f: -f[3])[:5])
    return SnapshotException(
        'source_directory "%s" packs to %s, over the %s snapshot limit. Largest files: %s. Exclude data and build '
        "output with an .amlignore (or .gitignore) file, and read data through inputs instead."
        % (directory, _mib(size), _mib(max_bytes), largest))
