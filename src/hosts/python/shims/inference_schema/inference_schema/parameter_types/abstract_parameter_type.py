class AbstractParameterType(object):
    """A parameter type built from a sample value: it converts parsed JSON back to the sample's type
    and describes it as a Swagger schema (with the sample as example)."""

    def __init__(self, sample_input):
        self.sample_input = sample_input
        self.sample_data_type = type(sample_input)

    def deserialize_input(self, input_data):
        raise NotImplementedError

    def input_to_swagger(self):
        raise NotImplementedError
