from . import _swagger
from .abstract_parameter_type import AbstractParameterType


class StandardPythonParameterType(AbstractParameterType):
    """A plain Python value (dict, list, str, int, float, bool), which may nest other parameter
    types: {"input1": NumpyParameterType(...), "input2": PandasParameterType(...)}."""

    def __init__(self, sample_input):
        super(StandardPythonParameterType, self).__init__(sample_input)

    def deserialize_input(self, input_data):
        sample = self.sample_input
        if isinstance(sample, dict) and isinstance(input_data, dict):
            out = {}
            for key, value in input_data.items():
                inner = sample.get(key)
                out[key] = inner.deserialize_input(value) if isinstance(inner, AbstractParameterType) else value
            return out
        if isinstance(sample, (list, tuple)) and isinstance(input_data, list):
            if sample and isinstance(sample[0], AbstractParameterType):
                return [sample[0].deserialize_input(v) for v in input_data]
            return type(sample)(input_data) if isinstance(sample, tuple) else input_data
        if isinstance(sample, bool) or sample is None:
            return input_data
        if isinstance(sample, (int, float)) and isinstance(input_data, (int, float)) and not isinstance(input_data, bool):
            return type(sample)(input_data)
        return input_data

    def input_to_swagger(self):
        schema = self._schema(self.sample_input)
        schema["example"] = self._example(self.sample_input)
        return schema

    @classmethod
    def _schema(cls, value):
        if isinstance(value, AbstractParameterType):
            schema = value.input_to_swagger()
            schema.pop("example", None)
            return schema
        if isinstance(value, dict):
            return {"type": "object", "required": list(value.keys()), "properties": {str(k): cls._schema(v) for k, v in value.items()}}
        if isinstance(value, (list, tuple)):
            return {"type": "array", "items": cls._schema(value[0]) if value else {}}
        return _swagger.of_value(value)

    @classmethod
    def _example(cls, value):
        if isinstance(value, AbstractParameterType):
            return value.input_to_swagger().get("example")
        if isinstance(value, dict):
            return {str(k): cls._example(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [cls._example(v) for v in value]
        if isinstance(value, (bytes, bytearray)):
            return value.decode("latin-1")
        return value
