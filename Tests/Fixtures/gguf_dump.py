#!/usr/bin/env python3
"""Dump a GGUF file's header as JSON using llama.cpp's own reader (the PyPI `gguf` package).

Usage: gguf_dump.py FILE | gguf_dump.py --quant-sizes

Prints one JSON object:
  {"version", "tensor_count", "kv_count", "alignment", "data_offset",
   "metadata": [{"key", "type", ...value...}, ...]   (file order)
   "tensors":  [{"name", "type", "type_id", "shape" (ggml order), "offset" (relative to the data section),
                 "n_elements", "n_bytes"}, ...]}       (file order)

A metadata value is encoded as:
  scalar:  {"type": "UINT32", "value": 3}                 (floats as their Python repr string: "1e-05", "nan",
                                                           "-0.0", so no JSON parser can round them)
  string:  {"type": "STRING", "value": "..."}
  array:   {"type": "ARRAY", "element_type": "STRING", "count": N, "sha256": HEX, "first": [...], "last": [...]}
           plus "values": [...] (all elements) when N <= 64. Elements of a nested array are array encodings
           without the "type" key. `sha256` hashes the elements re-encoded from the decoded values the way GGUF
           writes them (numbers little-endian at their type, bool one byte 0/1, string u64 length + UTF-8 bytes,
           nested array u32 element type + u64 count + elements), so it checks values, not just byte spans.

The Swift test (Tests/GGUFTests/PythonCrossCheckTests.swift) builds the same encoding from our parse and compares.
"""
import hashlib
import json
import struct
import sys

import gguf
from gguf import GGUFReader, GGUFValueType

SMALL = 64
EDGE = 4

PACK = {
    GGUFValueType.UINT8: "B", GGUFValueType.INT8: "b", GGUFValueType.UINT16: "H", GGUFValueType.INT16: "h",
    GGUFValueType.UINT32: "I", GGUFValueType.INT32: "i", GGUFValueType.FLOAT32: "f", GGUFValueType.UINT64: "Q",
    GGUFValueType.INT64: "q", GGUFValueType.FLOAT64: "d",
}
FLOATS = (GGUFValueType.FLOAT32, GGUFValueType.FLOAT64)


def json_scalar(vtype, v):
    if vtype in FLOATS:
        return repr(float(v))
    if vtype == GGUFValueType.BOOL:
        return bool(v)
    return int(v)


def decode(vtype, parts, i):
    """Decodes one value of `vtype` starting at parts[i]; returns (python value, canonical bytes, next i)."""
    if vtype == GGUFValueType.STRING:
        raw = parts[i + 1].tobytes()
        s = raw.decode("utf-8")
        return s, struct.pack("<Q", len(raw)) + raw, i + 2
    if vtype == GGUFValueType.ARRAY:
        itype = GGUFValueType(int(parts[i][0]))
        count = int(parts[i + 1][0])
        i += 2
        elements, chunks = [], []
        if itype == GGUFValueType.STRING or itype == GGUFValueType.ARRAY:
            for _ in range(count):
                v, b, i = decode(itype, parts, i)
                elements.append(v)
                chunks.append(b)
            body = b"".join(chunks)
        else:
            # Scalars: one numpy part per element.
            values = [parts[i + k][0] for k in range(count)]
            i += count
            if itype == GGUFValueType.BOOL:
                elements = [bool(v) for v in values]
                body = bytes(1 if v else 0 for v in elements)
            else:
                elements = [json_scalar(itype, v) for v in values]
                py = [float(v) if itype in FLOATS else int(v) for v in values]
                body = struct.pack("<%d%s" % (count, PACK[itype]), *py)
        out = {"element_type": itype.name, "count": count, "sha256": hashlib.sha256(body).hexdigest(),
               "first": elements[:EDGE], "last": elements[-EDGE:] if count else []}
        if count <= SMALL:
            out["values"] = elements
        canonical = struct.pack("<IQ", int(itype), count) + body
        return out, canonical, i
    v = parts[i][0]
    if vtype == GGUFValueType.BOOL:
        return bool(v), bytes([1 if v else 0]), i + 1
    return json_scalar(vtype, v), struct.pack("<" + PACK[vtype], float(v) if vtype in FLOATS else int(v)), i + 1


def main():
    if sys.argv[1] == "--quant-sizes":
        # {type name: [type id, block size, type size]} from gguf-py's GGML_QUANT_SIZES.
        print(json.dumps({t.name: [int(t), bs, ts] for t, (bs, ts) in gguf.GGML_QUANT_SIZES.items()}))
        return
    path = sys.argv[1]
    reader = GGUFReader(path, "r")
    metadata = []
    header = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            header[key[5:]] = int(field.parts[-1][0])
            continue
        vtype = field.types[0]
        # parts: key length, key bytes, value type, then the value's parts.
        value, _, end = decode(vtype, field.parts, 3)
        assert end == len(field.parts), key
        entry = {"key": key, "type": vtype.name}
        if vtype == GGUFValueType.ARRAY:
            entry.update(value)
        else:
            entry["value"] = value
        metadata.append(entry)
    tensors = []
    for t in reader.tensors:
        tensors.append({
            "name": t.name,
            "type": t.tensor_type.name,
            "type_id": int(t.tensor_type),
            "shape": [int(d) for d in t.shape],
            "offset": int(t.data_offset) - int(reader.data_offset),
            "n_elements": int(t.n_elements),
            "n_bytes": int(t.n_bytes),
        })
    print(json.dumps({
        "gguf_version": gguf.__version__ if hasattr(gguf, "__version__") else None,
        "version": header.get("version"),
        "tensor_count": header.get("tensor_count"),
        "kv_count": header.get("kv_count"),
        "alignment": int(reader.alignment),
        "data_offset": int(reader.data_offset),
        "metadata": metadata,
        "tensors": tensors,
    }, allow_nan=False))


if __name__ == "__main__":
    main()
