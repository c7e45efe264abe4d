"""Wire-format readers for the protobuf-based formats (hand-written, fields named after the .proto)."""
