"""Switchyard stand-in for the inference-schema package (used only when it is not installed).

Covers what scoring scripts use: @input_schema / @output_schema with Numpy, StandardPython and
Pandas parameter types, conversion of the parsed JSON argument, and the schema for swagger.json.
"""
