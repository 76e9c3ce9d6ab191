"""Generates python-literal.json: ast.literal_eval results (Python 3.11) for the cases the
TypeScript literal parser is tested against (spec section 1.1). Run with /usr/bin/python3:
    python3 test/reference/config/make-python-literal.py
A value is encoded as JSON with tagged kinds so tuples, sets, bytes, complex and dicts
stay distinguishable; a non-literal (ValueError/SyntaxError, which SegConfig.__setitem__
swallows) is {"kept": true}; any other exception is {"raises": "<TypeName>"}."""
import ast
import json
import math
import os
import warnings

CASES = [
    # spec 1.1, verbatim
    "(512, 512)", "[1.0, 0.4, 0.16]", "True", "False", "None", "8", "1e-4", '"10"',
    'u"stepscaling"', "pspnet", "./dataset/x/", "a b", "12abc", "|", " ", "",
    "101",
    # ints
    "0", "00", "007", "-5", "+5", "1_000_000", "0x1F", "0X_ff", "0o17", "0b101", "0b102", "1_", "0x",
    "12345678901", "--1", "-(1)", "-(-1)", "-True", "+None",
    # floats
    "1.", ".5", "1.5e3", "1E-4", "1.e5", "0.00004", "4e-05", "1_0.5", "007.5", "0e0", "inf", "nan", "-inf",
    "1e999", "1..2", "1.5.3",
    # complex
    "1j", "2.5J", "1+2j", "1-2j", "-1-2j", "1+2", "2j+1", "1e3j", "(1)+2j",
    # strings
    "'a'", '"a"', "'''a'b'''", '"""x\ny"""', "r'a\\nb'", "R\"\\d\"", "'a\\nb'", "'\\t'", "'\\x41'",
    "'\\101'", "'\\u00e9'", "'\\U0001F600'", "'\\d'", "'a' 'b'", "'a' \"b\" u'c'", "b'x'",
    "b'a' 'b'", "br'\\n'", "Rb'x'", "f'x'", "'unterminated", "'a\\\nb'", "'caf\u00e9'", "b'caf\u00e9'",
    "'\\x4'", "r'\\''",
    # containers
    "()", "(1,)", "(1)", "1, 2", "1,", "(1, 2,)", "[]", "[1,]", "[1, [2, (3,)]]", "{}", "{'a': 1, 2: [3]}",
    "{1, 2}", "{1,}", "set()", "{[1]: 2}", "{'a': 1,}", "(,)", "[,]", "[1 2]", "((1, 2), (3, 4))",
    "{'k': (1, 2)}", "{(1, [2]): 3}",
    # whitespace and comments
    "  8", "\t8", "8  ", "8 # comment", "(1,\n 2)", "1\n2", "8\n", "\n8", "x = 1", "a.b", "f(1)",
    "[1, 2][0]", "...", "'\\N{DASH}'", "1 if 1 else 2", "lambda: 1", "not True", "~1", "'a' * 2",
    "\\", "#", "(512,512)", "[0.5,0.5,0.5]", "'|'", "u'\\u00e9'", "0.1", "2.0",
]


def enc(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        if math.isinf(v):
            return {"float": "inf" if v > 0 else "-inf"}
        return {"float": repr(v)}
    if isinstance(v, complex):
        return {"complex": [v.real, v.imag]}
    if isinstance(v, bytes):
        return {"bytes": v.decode("latin-1")}
    if isinstance(v, tuple):
        return {"tuple": [enc(x) for x in v]}
    if isinstance(v, list):
        return {"list": [enc(x) for x in v]}
    if isinstance(v, set):
        return {"set": sorted((enc(x) for x in v), key=json.dumps)}
    if isinstance(v, dict):
        return {"dict": [[enc(k), enc(x)] for k, x in v.items()]}
    raise TypeError(type(v))


def main():
    out = []
    for text in CASES:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = ast.literal_eval(text)
            out.append({"text": text, "value": enc(value)})
        except (ValueError, SyntaxError):
            out.append({"text": text, "kept": True})
        except Exception as e:  # noqa: BLE001 - recorded, SegConfig lets these propagate
            out.append({"text": text, "raises": type(e).__name__})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "python-literal.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"python": "3.11", "cases": out}, f, ensure_ascii=False, indent=1)
        f.write("\n")


main()
