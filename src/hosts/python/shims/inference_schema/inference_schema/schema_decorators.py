"""@input_schema(param_name, param_type) and @output_schema(output_type)."""
import functools
import inspect

from .parameter_types.abstract_parameter_type import AbstractParameterType
from .schema_util import _original, _record_input, _record_output


def input_schema(param_name, param_type, convert_to_provided_type=True, optional=False):
    if not isinstance(param_type, AbstractParameterType):
        raise Exception("Error, provided param_type must be a subclass of the AbstractParameterType.")
    swagger = param_type.input_to_swagger()

    def decorate(user_run):
        _record_input(user_run, param_name, swagger)
        arg_names = inspect.getfullargspec(_original(user_run)).args
        if param_name not in arg_names:
            raise Exception('Error, provided param_name "%s" is not in the decorated function.' % param_name)
        position = arg_names.index(param_name)

        @functools.wraps(user_run)
        def wrapper(*args, **kwargs):
            if convert_to_provided_type:
                if param_name in kwargs:
                    kwargs[param_name] = _convert(param_type, kwargs[param_name])
                elif position < len(args):
                    args = list(args)
                    args[position] = _convert(param_type, args[position])
            return user_run(*args, **kwargs)

        return wrapper

    return decorate


def output_schema(output_type):
    if not isinstance(output_type, AbstractParameterType):
        raise Exception("Error, provided param_type must be a subclass of the AbstractParameterType.")
    swagger = output_type.input_to_swagger()

    def decorate(user_run):
        _record_output(user_run, swagger)
        return user_run

    return decorate


def _convert(param_type, value):
    # Always through deserialize_input (as inference-schema 1.4+ does): a dict sample may nest other
    # parameter types whose values still need converting. Already-converted values pass through.
    if value is None:
        return value
    return param_type.deserialize_input(value)
