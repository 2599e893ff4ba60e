"""Where the decorators record each function's schema, and how the host reads it back."""
import copy
import inspect

from ._constants import INPUT_SCHEMA_ATTR, OUTPUT_SCHEMA_ATTR

__functions_schema__ = {}


def _original(func):
    return inspect.unwrap(func)


def _key(func):
    original = _original(func)
    return "%s.%s" % (getattr(original, "__module__", "<unknown>"), getattr(original, "__name__", repr(original)))


def get_input_schema(func):
    return copy.deepcopy(__functions_schema__.get(_key(func), {}).get(INPUT_SCHEMA_ATTR, {"type": "object"}))


def get_output_schema(func):
    return copy.deepcopy(__functions_schema__.get(_key(func), {}).get(OUTPUT_SCHEMA_ATTR, {"type": "object"}))


def is_schema_decorated(func):
    return _key(func) in __functions_schema__


def get_schemas_dict():
    return copy.deepcopy(__functions_schema__)


def get_supported_versions(func):
    return ["2.0", "3.0", "3.1"]


def _record_input(func, param_name, swagger):
    entry = __functions_schema__.setdefault(_key(func), {})
    schema = entry.get(INPUT_SCHEMA_ATTR)
    if schema is None:
        names = inspect.getfullargspec(_original(func)).args
        schema = {"type": "object", "properties": {n: {} for n in names}, "example": {n: "" for n in names}}
        entry[INPUT_SCHEMA_ATTR] = schema
    swagger = copy.deepcopy(swagger)
    schema["example"][param_name] = swagger.pop("example", "")
    schema["properties"][param_name] = swagger


def _record_output(func, swagger):
    entry = __functions_schema__.setdefault(_key(func), {})
    if OUTPUT_SCHEMA_ATTR in entry:
        raise Exception("Error, output schema already defined for function: %s." % _key(func))
    entry[OUTPUT_SCHEMA_ATTR] = copy.deepcopy(swagger)
