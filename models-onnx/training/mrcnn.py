"""Mask R-CNN for nuclei (torchvision), sized to ship: a 1-channel ResNet-18/34 GroupNorm
encoder (the FPN2-WS encoder of nets.py), a 128-channel feature pyramid, small anchors for
small nuclei, a 256-wide box head and a 4 x 128 mask head (~14 M parameters with ResNet-18,
~29 MB as an ONNX file with float16 weights).

Images are not resized inside the model (tiles go in at their own scale) and the model's
outputs stay box-relative: `boxes` (K, 4) x0 y0 x1 y1 in pixels, `scores` (K), `masks`
(K, 1, 28, 28) foreground probabilities in each box. Pasting them into a label image and
merging across tiles is nucseg's post-processing (native kernel pasteInstances, see
lib/models/mrcnn.ts) — cheaper than full-image masks per instance, and the same on every
device."""
import torch
import torch.nn as nn
import torchvision
from torchvision.models.detection import MaskRCNN
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.mask_rcnn import MaskRCNNHeads, MaskRCNNPredictor
from torchvision.models.detection.transform import GeneralizedRCNNTransform
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from nets import ENCODERS, make_resnet


class TileTransform(GeneralizedRCNNTransform):
    """Normalizes and batches, but never resizes (tiles keep their pixel scale) and leaves the
    masks box-relative (28 x 28) instead of pasting them into full-image masks."""

    def resize(self, image, target=None):
        return image, target

    def postprocess(self, result, image_shapes, original_image_sizes):
        return result


def build_mrcnn(encoder='resnet18', width=128, detections=400):
    ctor, channels = ENCODERS[encoder]
    net = make_resnet(ctor)
    net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
    backbone = BackboneWithFPN(net, {'layer1': '0', 'layer2': '1', 'layer3': '2', 'layer4': '3'}, channels, width, extra_blocks=LastLevelMaxPool())
    anchors = AnchorGenerator(sizes=((8,), (16,), (32,), (64,), (128,)), aspect_ratios=((0.5, 1.0, 2.0),) * 5)
    model = MaskRCNN(
        backbone, num_classes=None, min_size=256, max_size=4096, image_mean=[0.5], image_std=[0.25],
        rpn_anchor_generator=anchors,
        box_head=TwoMLPHead(width * 7 * 7, 256), box_predictor=FastRCNNPredictor(256, 2),
        mask_head=MaskRCNNHeads(width, (width,) * 4, 1), mask_predictor=MaskRCNNPredictor(width, width, 2),
        box_detections_per_img=detections, box_score_thresh=0.05, box_batch_size_per_image=256,
        rpn_pre_nms_top_n_test=2000, rpn_post_nms_top_n_test=1000,
    )
    model.transform = TileTransform(256, 4096, [0.5], [0.25])
    return model


class NucleiMaskRCNN(nn.Module):
    """Training: forward(images (N,1,H,W), targets) -> dict of losses. Inference/export:
    forward(image (1,1,H,W)) -> boxes, scores, masks of that image."""

    def __init__(self, encoder='resnet18', width=128, detections=400):
        super().__init__()
        self.net = build_mrcnn(encoder, width, detections)

    def forward(self, x, targets=None):
        if targets is not None:
            return self.net(list(x), targets)
        out = self.net([x[0]])[0]
        return out['boxes'], out['scores'], out['masks']

    def encoder_parameters(self):
        return list(self.net.backbone.body.parameters())


def targets_from_labels(labels, min_area=4):
    """Instance label images (N, H, W) int -> torchvision targets: one box (x0, y0, x1, y1,
    pixel edges), class 1 and a full-size mask per nucleus of at least `min_area` pixels."""
    out = []
    for lab in labels:
        ids = torch.unique(lab)
        ids = ids[ids > 0]
        masks = lab[None] == ids[:, None, None]
        area = masks.flatten(1).sum(1)
        masks = masks[area >= min_area]
        if len(masks):
            ys = masks.any(2)
            xs = masks.any(1)
            H, W = lab.shape
            r = torch.arange(max(H, W))
            y0 = torch.where(ys, r[:H], H).min(1).values
            y1 = torch.where(ys, r[:H], -1).max(1).values + 1
            x0 = torch.where(xs, r[:W], W).min(1).values
            x1 = torch.where(xs, r[:W], -1).max(1).values + 1
            boxes = torch.stack([x0, y0, x1, y1], 1).float()
        else:
            boxes = torch.zeros((0, 4))
        out.append({'boxes': boxes, 'labels': torch.ones(len(masks), dtype=torch.int64), 'masks': masks.to(torch.uint8)})
    return out


def paste(boxes, scores, masks, H, W, score_threshold=0.5, mask_threshold=0.5):
    """Reference paste (Python) of box-relative masks into an (H, W) label image, highest
    score first, a pixel taken stays taken; same sampling as nucseg's pasteInstances kernel:
    bilinear at pixel centres, the 28 x 28 grid spanning the box, zero outside."""
    import numpy as np
    lab = np.zeros((H, W), np.int32)
    order = np.argsort(-scores, kind='stable')
    M = masks.shape[-1]
    k = 0
    for i in order:
        if scores[i] < score_threshold:
            break
        x0, y0, x1, y1 = boxes[i]
        if not (x1 > x0 and y1 > y0):
            continue
        k += 1
        m = masks[i].reshape(M, M)
        xa, xb = max(0, int(np.floor(x0))), min(W, int(np.ceil(x1)))
        ya, yb = max(0, int(np.floor(y0))), min(H, int(np.ceil(y1)))
        if xa >= xb or ya >= yb:
            continue
        u = (np.arange(xa, xb) + 0.5 - x0) / (x1 - x0) * M - 0.5
        v = (np.arange(ya, yb) + 0.5 - y0) / (y1 - y0) * M - 0.5
        pad = np.pad(m, 1)
        uu, vv = np.meshgrid(u + 1, v + 1)
        u0, v0 = np.floor(uu).astype(int), np.floor(vv).astype(int)
        fu, fv = uu - u0, vv - v0
        u0c, v0c = np.clip(u0, 0, M + 1), np.clip(v0, 0, M + 1)
        u1c, v1c = np.clip(u0 + 1, 0, M + 1), np.clip(v0 + 1, 0, M + 1)
        val = (pad[v0c, u0c] * (1 - fu) * (1 - fv) + pad[v0c, u1c] * fu * (1 - fv) + pad[v1c, u0c] * (1 - fu) * fv + pad[v1c, u1c] * fu * fv)
        region = lab[ya:yb, xa:xb]
        region[(val > mask_threshold) & (region == 0)] = k
    return lab
