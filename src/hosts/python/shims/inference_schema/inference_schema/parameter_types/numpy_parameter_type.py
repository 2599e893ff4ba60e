import numpy as np

from . import _swagger
from .abstract_parameter_type import AbstractParameterType


class NumpyParameterType(AbstractParameterType):
    """A numpy array: JSON lists become an array of the sample's dtype and (by default) of the
    sample's shape, except for its first dimension (the number of rows)."""

    def __init__(self, sample_input, enforce_column_type=True, enforce_shape=True):
        if not isinstance(sample_input, np.ndarray):
            raise Exception("Invalid sample input provided, must provide a sample Numpy array.")
        super(NumpyParameterType, self).__init__(sample_input)
        self.enforce_column_type = enforce_column_type
        self.enforce_shape = enforce_shape

    def deserialize_input(self, input_data):
        if isinstance(input_data, np.ndarray):
            return input_data
        if not isinstance(input_data, list):
            raise ValueError("Invalid input format: expected an array of items.")
        dtype = self.sample_input.dtype
        if self.enforce_column_type:
            if dtype.names:
                rows = [tuple(row[n] for n in dtype.names) if isinstance(row, dict) else tuple(row) for row in input_data]
                array = np.array(rows, dtype=dtype)
            else:
                array = np.array(input_data, dtype=dtype)
        else:
            array = np.array(input_data)
        if self.enforce_shape:
            expected = self.sample_input.shape
            if array.ndim != len(expected):
                raise ValueError(
                    "Invalid input array: an array with %d dimensions is expected; input has %d [shape %s]"
                    % (len(expected), array.ndim, array.shape)
                )
            for dim in range(1, len(expected)):
                if array.shape[dim] != expected[dim]:
                    raise ValueError(
                        "Invalid input array: array has size %d on dimension #%d, while expected value is %d"
                        % (array.shape[dim], dim, expected[dim])
                    )
        return array

    def input_to_swagger(self):
        dtype = self.sample_input.dtype
        schema = _swagger.array_of(_swagger.of_dtype(dtype), len(self.sample_input.shape))
        if dtype.names:
            example = [dict(zip(dtype.names, row)) for row in self.sample_input.tolist()]
        else:
            example = self.sample_input.tolist()
        schema["example"] = example
        return schema
