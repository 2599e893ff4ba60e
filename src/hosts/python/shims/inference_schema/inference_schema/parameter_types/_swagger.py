"""Swagger schemas of plain Python values and numpy dtypes."""

_DTYPES = {
    "int8": {"type": "integer", "format": "int8"},
    "int16": {"type": "integer", "format": "int16"},
    "int32": {"type": "integer", "format": "int32"},
    "int64": {"type": "integer", "format": "int64"},
    "uint8": {"type": "integer", "format": "uint8"},
    "uint16": {"type": "integer", "format": "uint16"},
    "uint32": {"type": "integer", "format": "uint32"},
    "uint64": {"type": "integer", "format": "uint64"},
    "bool": {"type": "boolean"},
    "float16": {"type": "number", "format": "float"},
    "float32": {"type": "number", "format": "float"},
    "float64": {"type": "number", "format": "double"},
    "object": {"type": "object"},
}


def of_dtype(dtype):
    if dtype.names:
        return {"type": "object", "properties": {n: of_dtype(dtype[n]) for n in dtype.names}}
    if dtype.subdtype is not None:
        return array_of(of_dtype(dtype.subdtype[0]), len(dtype.subdtype[1]))
    name = dtype.name.lower()
    if name in _DTYPES:
        return dict(_DTYPES[name])
    if name.startswith("datetime"):
        return {"type": "string", "format": "date-time"}
    if name.startswith("timedelta"):
        return {"type": "string", "format": "timedelta"}
    if name.startswith("str"):
        return {"type": "string"}
    if name.startswith("bytes") or name.startswith("void"):
        return {"type": "string", "format": "binary"}
    return {"type": "object"}


def array_of(items, dims):
    schema = {"type": "array", "items": items}
    for _ in range(max(dims, 1) - 1):
        schema = {"type": "array", "items": schema}
    return schema


def of_value(value):
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer", "format": "int64"}
    if isinstance(value, float):
        return {"type": "number", "format": "double"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, (bytes, bytearray)):
        return {"type": "string", "format": "binary"}
    if isinstance(value, dict):
        return {"type": "object", "required": list(value.keys()), "properties": {str(k): of_value(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"type": "array", "items": of_value(value[0]) if value else {}}
    return {"type": "object"}
