"""Classes whose server side Sluice does not have yet (issue 14). They exist so that a notebook's imports work;
using one raises ``NotImplementedError`` naming what is missing, never a silent no-op."""

__all__ = ["not_yet_class"]


def not_yet_class(name, feature, module, server_side=True):
    message = "%s is not supported by Sluice%s: %s%s. See docs/python-sdk.md." % (
        name, " yet" if server_side else "", feature, " (the server side of issue 14)" if server_side else "")

    def refuse(*args, **kwargs):
        raise NotImplementedError(message)

    class _Refuser(object):
        """``Dataset.Tabular.from_delimited_files(...)``: any attribute chain, refused when called."""

        def __getattr__(self, attribute):
            if attribute.startswith("__"):
                raise AttributeError(attribute)
            return self

        def __call__(self, *args, **kwargs):
            refuse()

    class _Meta(type):
        def __getattr__(cls, attribute):
            if attribute.startswith("__"):
                raise AttributeError(attribute)
            return _Refuser()

    return _Meta(name, (object,), {"__init__": refuse, "__doc__": "Not supported yet: %s." % feature,
                                   "__module__": module})
