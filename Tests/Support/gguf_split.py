# Splits a GGUF file into parts with gguf-py's own split writer (PyPI `gguf`, independent of Lathe's GGUF code),
# the layout llama.cpp's gguf-split writes: OUT_PREFIX-00001-of-0000N.gguf, … with split.no (from 0), split.count
# and split.tensors.count in every part, all other metadata in the first part only.
# Usage: python3 gguf_split.py IN.gguf OUT_PREFIX TENSORS_PER_PART
import sys

import gguf
from gguf import GGUFReader, GGUFValueType, GGUFWriter

source, prefix, per_part = sys.argv[1], sys.argv[2], int(sys.argv[3])
reader = GGUFReader(source)
arch = reader.fields["general.architecture"].contents()
writer = GGUFWriter(prefix + ".gguf", arch, split_max_tensors=per_part)
for field in reader.fields.values():
    # The header fields (GGUF.*) are written by the writer itself; so are the architecture and alignment.
    if field.name.startswith("GGUF.") or field.name in ("general.architecture", "general.alignment"):
        continue
    value_type = field.types[0]
    sub_type = field.types[-1] if value_type == GGUFValueType.ARRAY else None
    writer.add_key_value(field.name, field.contents(), value_type, sub_type=sub_type)
for tensor in reader.tensors:
    # Quantized data comes as bytes; raw_dtype tells the writer its ggml type and shape.
    writer.add_tensor(tensor.name, tensor.data, raw_dtype=tensor.tensor_type)
writer.write_header_to_file()
writer.write_kv_data_to_file()
writer.write_tensors_to_file()
writer.close()
print(gguf.__version__ if hasattr(gguf, "__version__") else "ok")
