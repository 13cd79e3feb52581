"""Validates JSON documents against a JSON Schema with Python's jsonschema (draft 2020-12), as a
producer in Python would: one document per input line, one answer per output line ("1" valid,
"0" not). Used by test/unit/schemas/commands.test.ts to show the schemas mean the same in Python."""
import json
import sys

from jsonschema import Draft202012Validator

with open(sys.argv[1], encoding="utf-8") as schema_file:
    validator = Draft202012Validator(json.load(schema_file))
with open(sys.argv[2], encoding="utf-8") as documents:
    for line in documents:
        sys.stdout.write("1\n" if validator.is_valid(json.loads(line)) else "0\n")
