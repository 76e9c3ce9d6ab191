#!/usr/bin/env python3
"""Writes reference.onnx and reference.json with Debian's python3-onnx (1.12).

The model exercises what pdseg's ONNX decoder must read from files it did not write:
negative int64 attributes, float lists, string attributes, raw_data / float_data /
int64_data initializers, a symbolic batch dimension, an If subgraph, metadata and a
doc_string. reference.json records the facts the TypeScript test compares against,
computed here by the onnx library, independently of pdseg's code.
Run: /usr/bin/python3 test/reference/onnx/make_reference_model.py
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

here = os.path.dirname(os.path.abspath(__file__))

w = numpy_helper.from_array(np.arange(2 * 3 * 3 * 3, dtype=np.float32).reshape(2, 3, 3, 3) / 7.0, "conv/weights")
b = helper.make_tensor("conv/biases", TensorProto.FLOAT, [2], [0.5, -1.25])  # float_data
shape = helper.make_tensor("reshape/shape", TensorProto.INT64, [2], [-1, 32])  # int64_data
cond = helper.make_tensor("cond", TensorProto.BOOL, [], [True])

then_g = helper.make_graph(
    [helper.make_node("Identity", ["flat"], ["then_out"], name="branch/then")],
    "then_branch", [], [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, ["N", 32])])
else_g = helper.make_graph(
    [helper.make_node("Neg", ["flat"], ["else_out"], name="branch/else")],
    "else_branch", [], [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, ["N", 32])])

nodes = [
    helper.make_node("Conv", ["image", "conv/weights", "conv/biases"], ["c"], name="net/conv",
                     kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], dilations=[1, 1],
                     doc_string="src/models/x.ts:12 conv"),
    helper.make_node("Relu", ["c"], ["r"], name="net/relu"),
    helper.make_node("Reshape", ["r", "reshape/shape"], ["flat"], name="net/reshape"),
    helper.make_node("If", ["cond"], ["y"], name="branch/if", then_branch=then_g, else_branch=else_g),
    helper.make_node("ArgMax", ["y"], ["out"], name="net/argmax", axis=-1, keepdims=1),
    helper.make_node("LeakyRelu", ["y"], ["leaky"], name="net/leaky", alpha=0.25),
    helper.make_node("Resize", ["r", "", "", ""], ["unused_resize"], name="net/resize",
                     mode="linear", coordinate_transformation_mode="align_corners"),
]
graph = helper.make_graph(
    nodes, "reference",
    [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 4, 4])],
    [helper.make_tensor_value_info("out", TensorProto.INT64, ["N", 1]),
     helper.make_tensor_value_info("leaky", TensorProto.FLOAT, ["N", 32])],
    initializer=[w, b, shape, cond],
    value_info=[helper.make_tensor_value_info("c", TensorProto.FLOAT, ["N", 2, 4, 4])])
model = helper.make_model(graph, producer_name="reference-writer", producer_version="1.0",
                          opset_imports=[helper.make_opsetid("", 17)], doc_string="reference model")
model.ir_version = 8
helper.set_model_props(model, {"MODEL_NAME": "reference", "NUM_CLASSES": "2"})
onnx.checker.check_model(model, full_check=True)
onnx.save(model, os.path.join(here, "reference.onnx"))

facts = {
    "ir_version": model.ir_version,
    "opset": [[o.domain, o.version] for o in model.opset_import],
    "producer_name": model.producer_name,
    "metadata": {p.key: p.value for p in model.metadata_props},
    "nodes": [[n.name, n.op_type, list(n.input), list(n.output)] for n in model.graph.node],
    "argmax_axis": helper.get_attribute_value(nodes[4].attribute[0]),
    "leaky_alpha": helper.get_attribute_value(nodes[5].attribute[0]),
    "conv_pads": list(helper.get_attribute_value([a for a in nodes[0].attribute if a.name == "pads"][0])),
    "resize_mode": helper.get_attribute_value([a for a in nodes[6].attribute if a.name == "mode"][0]).decode(),
    "then_node": model.graph.node[3].attribute[0].g.node[0].name if model.graph.node[3].attribute[0].name == "then_branch" else model.graph.node[3].attribute[1].g.node[0].name,
    "initializers": {t.name: {"dims": list(t.dims), "data_type": t.data_type,
                              "values": numpy_helper.to_array(t).astype(np.float64).ravel().tolist()}
                     for t in model.graph.initializer},
    "input_dims": [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim],
    "value_info_dims": [d.dim_param or d.dim_value for d in model.graph.value_info[0].type.tensor_type.shape.dim],
    "conv_doc": model.graph.node[0].doc_string,
    "byte_length": len(model.SerializeToString()),
}
with open(os.path.join(here, "reference.json"), "w") as f:
    json.dump(facts, f, indent=1)
print("wrote reference.onnx", facts["byte_length"], "bytes")
