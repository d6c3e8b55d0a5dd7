"""The naming rules of the pipeline spec (shared/spec/names.ts), checked in Python before anything is sent."""

import re

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
NAME_RULE = "a letter, then up to 63 letters, digits, '_' or '-'"
COMPUTE_NAME = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,39}$")
COMPUTE_RULE = "1-40 lower-case letters, digits and single hyphens"
EXPERIMENT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_DATASTORE = "workspaceblobstore"


def check_name(value, field):
    """``value`` when it is a valid spec name; a ValueError naming ``field`` otherwise."""
    if not isinstance(value, str) or not NAME.match(value):
        raise ValueError("%s %r is not a valid name: use %s (names end up in blob paths)" % (field, value, NAME_RULE))
    return value


def spec_name(display, field="name"):
    """A spec name for a display name such as "Prepare Data" → "Prepare_Data" (other characters become '_')."""
    if not isinstance(display, str) or not display.strip():
        raise ValueError("%s must be a non-empty string" % field)
    name = re.sub(r"[^A-Za-z0-9_-]", "_", display.strip())
    if not name[0].isalpha():
        name = "s_" + name
    return name[:64]


def datastore_name(datastore):
    """The name of a Datastore object or a datastore given by name."""
    if datastore is None:
        return DEFAULT_DATASTORE
    name = datastore if isinstance(datastore, str) else getattr(datastore, "name", None)
    if not isinstance(name, str) or not name:
        raise ValueError("datastore must be a Datastore or a datastore name, not %r" % (datastore,))
    return name
