import pandas as pd

from . import _swagger
from .abstract_parameter_type import AbstractParameterType


class PandasParameterType(AbstractParameterType):
    """A pandas DataFrame, sent as JSON in the `orient` layout (records by default)."""

    def __init__(self, sample_input, enforce_column_type=True, enforce_shape=True, apply_column_names=False, orient="records"):
        if not isinstance(sample_input, pd.DataFrame):
            raise Exception("Invalid sample input provided, must provide a sample Pandas Dataframe.")
        super(PandasParameterType, self).__init__(sample_input)
        self.enforce_column_type = enforce_column_type
        self.enforce_shape = enforce_shape
        self.apply_column_names = apply_column_names
        self.orient = orient

    def deserialize_input(self, input_data):
        if isinstance(input_data, pd.DataFrame):
            return input_data
        sample = self.sample_input
        if self.orient == "records" and isinstance(input_data, list):
            if input_data and not isinstance(input_data[0], dict):
                frame = pd.DataFrame(input_data, columns=list(sample.columns) if self.apply_column_names else None)
            else:
                frame = pd.DataFrame.from_records(input_data)
        elif self.orient == "split" and isinstance(input_data, dict):
            frame = pd.DataFrame(input_data.get("data"), columns=input_data.get("columns"), index=input_data.get("index"))
        elif isinstance(input_data, (dict, list)):
            frame = pd.DataFrame(input_data)
        else:
            raise ValueError("Invalid input format: expected a JSON array of records or an object.")
        if self.enforce_shape and len(frame.columns) != len(sample.columns):
            raise ValueError(
                "Invalid input data frame: a data frame with %d columns is expected; input has %d columns"
                % (len(sample.columns), len(frame.columns))
            )
        if self.enforce_column_type:
            types = {c: t for c, t in sample.dtypes.items() if c in frame.columns}
            try:
                frame = frame.astype(types)
            except (ValueError, TypeError) as exc:
                raise ValueError("Invalid input data frame: %s" % exc)
        return frame

    def input_to_swagger(self):
        sample = self.sample_input
        properties = {str(c): _swagger.of_dtype(t) for c, t in sample.dtypes.items()}
        if self.orient == "split":
            schema = {"type": "object", "properties": {"columns": {"type": "array", "items": {"type": "string"}}, "index": {"type": "array", "items": {"type": "integer", "format": "int64"}}, "data": {"type": "array", "items": {"type": "array", "items": {}}}}}
            schema["example"] = {"columns": [str(c) for c in sample.columns], "index": list(range(len(sample))), "data": sample.values.tolist()}
            return schema
        schema = {"type": "array", "items": {"type": "object", "required": list(properties.keys()), "properties": properties}}
        schema["example"] = sample.to_dict(orient="records")
        return schema
