"""ONNX export of FPN2-WS models, optional float16 weights, and loading weights back from an
exported model (for fine-tuning a shipped model)."""
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch


def export_onnx(model, path, roi=256, opset=17):
    """Exports with a dynamic batch and image size; input 'image' (N,1,H,W) float32,
    outputs 'distance' and 'border' (N,1,H,W) float32. Returns the test input used."""
    model.eval()
    x = torch.rand(1, 1, roi, roi)
    kw = dict(
        opset_version=opset, input_names=['image'], output_names=['distance', 'border'],
        dynamic_axes={'image': {0: 'batch', 2: 'height', 3: 'width'}, 'distance': {0: 'batch', 2: 'height', 3: 'width'}, 'border': {0: 'batch', 2: 'height', 3: 'width'}},
        do_constant_folding=False,  # keep every weight under its parameter name
    )
    try:  # PyTorch >= 2.5: the TorchScript exporter (the default became dynamo in 2.9)
        torch.onnx.export(model, x, path, dynamo=False, **kw)
    except TypeError:
        torch.onnx.export(model, x, path, **kw)
    return x


def weights_to_float16(path):
    """Stores every float32 initializer of more than 16 values as float16 with a Cast back to
    float32 (compute stays float32; the file halves)."""
    m = onnx.load(path)
    g = m.graph
    new_inits, casts = [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size > 16:
            h = numpy_helper.from_array(arr.astype(np.float16), init.name + '__fp16')
            new_inits.append(h)
            casts.append(helper.make_node('Cast', [h.name], [init.name], to=TensorProto.FLOAT, name=init.name + '__cast'))
        else:
            new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def load_from_onnx(model, path):
    """Copies weights from an exported model into `model` (same architecture): initializers
    are matched to state-dict entries by name (float16 ones through their Cast)."""
    m = onnx.load(path)
    inits = {}
    for i in m.graph.initializer:
        name = i.name[:-6] if i.name.endswith('__fp16') else i.name
        inits[name] = numpy_helper.to_array(i).astype(np.float32)
    sd = model.state_dict()
    hit = 0
    for k, v in sd.items():
        if k in inits and tuple(inits[k].shape) == tuple(v.shape):
            sd[k] = torch.from_numpy(inits[k].copy())
            hit += 1
    params = [k for k, v in sd.items() if v.dtype.is_floating_point and not k.endswith('num_batches_tracked')]
    if hit < 0.9 * len(params):
        raise ValueError(f'{path}: only {hit} of {len(params)} weights match this architecture')
    model.load_state_dict(sd)
    return hit
