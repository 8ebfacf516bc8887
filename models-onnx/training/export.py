"""ONNX export of FPN2-WS models, optional float16 weights, and loading weights back from an
exported model (for fine-tuning a shipped model)."""
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch
from typing import List


def register_roi_align():
    """torchvision < 0.15 registers its RoIAlign export for opset 11 only; exported at opset
    >= 16 that node gets ONNX's new default coordinate_transformation_mode 'half_pixel'
    (aligned=True), while Mask R-CNN pools with aligned=False — ONNX Runtime then pools half
    a pixel off and the detections differ from PyTorch. This registers an opset-16 symbolic
    that states the mode explicitly (what later torchvision releases do themselves)."""
    from torch.onnx import register_custom_op_symbolic
    from torch.onnx.symbolic_helper import parse_args

    @parse_args('v', 'v', 'f', 'i', 'i', 'i', 'i')
    def roi_align16(g, features, rois, spatial_scale, pooled_h, pooled_w, sampling_ratio, aligned):
        idx = g.op('Gather', rois, g.op('Constant', value_t=torch.tensor(0, dtype=torch.long)), axis_i=1)
        batch = g.op('Cast', idx, to_i=TensorProto.INT64)
        boxes = g.op('Gather', rois, g.op('Constant', value_t=torch.tensor([1, 2, 3, 4], dtype=torch.long)), axis_i=1)
        return g.op('RoiAlign', features, boxes, batch, spatial_scale_f=spatial_scale, output_height_i=pooled_h, output_width_i=pooled_w,
                    sampling_ratio_i=max(sampling_ratio, 0), coordinate_transformation_mode_s='half_pixel' if aligned else 'output_half_pixel')

    register_custom_op_symbolic('torchvision::roi_align', roi_align16, 16)


def export_onnx(model, path, roi=256, opset=17):
    """FPN2-WS with a dynamic batch and image size; input 'image' (N,1,H,W) float32,
    outputs 'distance' and 'border' (N,1,H,W) float32. Returns the trace input."""
    model.eval()
    x = torch.rand(1, 1, roi, roi)
    axes = {0: 'batch', 2: 'height', 3: 'width'}
    kw = dict(
        opset_version=opset, input_names=['image'], output_names=['distance', 'border'],
        dynamic_axes={'image': axes, 'distance': axes, 'border': axes},
        do_constant_folding=False,  # keep every weight under its parameter name
    )
    try:  # PyTorch >= 2.5: the TorchScript exporter (the default became dynamo in 2.9)
        torch.onnx.export(model, x, path, dynamo=False, **kw)
    except TypeError:
        torch.onnx.export(model, x, path, **kw)
    return x


class _BatchedDetections(torch.nn.Module):
    """Runs a single-image detection model (traced) over each image of a batch in an ONNX
    Loop: detections of all images concatenated, with the index of the image of each."""

    def __init__(self, single):
        super().__init__()
        self.single = single

    def forward(self, x):
        boxes: List[torch.Tensor] = []
        scores: List[torch.Tensor] = []
        masks: List[torch.Tensor] = []
        index: List[torch.Tensor] = []
        for i in range(x.shape[0]):
            b, s, m = self.single(x[i:i + 1])
            boxes.append(b)
            scores.append(s)
            masks.append(m)
            index.append(torch.full_like(s, float(i)))
        return torch.cat(boxes), torch.cat(scores), torch.cat(masks), torch.cat(index)


def export_mrcnn_onnx(model, path, roi=256, opset=17):
    """Mask R-CNN with a dynamic batch and image size: torchvision's detection models trace
    for a fixed number of images, so the single-image model is traced and a scripted loop
    over the batch wraps it (an ONNX Loop). Input 'image' (N,1,H,W); outputs 'boxes' (K,4),
    'scores' (K), 'masks' (K,1,28,28), 'image_index' (K, float: which image of the batch),
    detections grouped by image in batch order, each group sorted by score."""
    model.eval()
    if opset >= 16:  # the opset-11 symbolic is right below 16
        register_roi_align()
    x = torch.rand(1, 1, roi, roi)
    traced = torch.jit.trace(model, (x,), check_trace=False)
    batched = torch.jit.script(_BatchedDetections(traced))
    xb = torch.rand(2, 1, roi, roi)
    kw = dict(
        opset_version=opset, input_names=['image'], output_names=['boxes', 'scores', 'masks', 'image_index'],
        dynamic_axes={'image': {0: 'batch', 2: 'height', 3: 'width'}, **{o: {0: 'detections'} for o in ('boxes', 'scores', 'masks', 'image_index')}},
        do_constant_folding=False,
    )
    try:
        torch.onnx.export(batched, (xb,), path, dynamo=False, **kw)
    except TypeError:
        torch.onnx.export(batched, (xb,), path, **kw)


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


def load_from_onnx(model, path, min_fraction=0.9):
    """Copies weights from an exported model into `model` (same architecture): initializers
    are matched to state-dict entries by name (float16 ones through their Cast)."""
    m = onnx.load(path)
    inits = {}
    for i in m.graph.initializer:
        name = i.name[:-6] if i.name.endswith('__fp16') else i.name
        if name.startswith('single.'):  # a batched Mask R-CNN export (export_mrcnn_onnx)
            name = name[len('single.'):]
        inits[name] = numpy_helper.to_array(i).astype(np.float32)
    sd = model.state_dict()
    hit = 0
    for k, v in sd.items():
        if k in inits and tuple(inits[k].shape) == tuple(v.shape):
            sd[k] = torch.from_numpy(inits[k].copy())
            hit += 1
    params = [k for k, v in sd.items() if v.dtype.is_floating_point and not k.endswith('num_batches_tracked')]
    if hit < min_fraction * len(params):
        raise ValueError(f'{path}: only {hit} of {len(params)} weights match this architecture')
    model.load_state_dict(sd)
    return hit
