"""FPN2-WS networks: a ResNet encoder, a feature pyramid, and two heads predicting the
per-nucleus normalized distance and the blurred border (sigmoid outputs, full resolution).
Heads: 'fpn' (the seed paper's: predicted at stride 4, upsampled), 'fullres' (a decoder
per map to stride 1 with encoder skips) or 'lite' (one light full-resolution decoder for both
maps, for CPU speed).

The seed paper trains two separate FPNs; here one encoder is shared by two heads (half the
weights and compute). `two_networks=True` builds the paper's variant for comparison."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


ENCODERS = {
    'resnet18': (torchvision.models.resnet18, [64, 128, 256, 512]),
    'resnet34': (torchvision.models.resnet34, [64, 128, 256, 512]),
}


def group_norm(channels):
    return nn.GroupNorm(min(32, channels // 4), channels)


def make_resnet(ctor):
    """An untrained torchvision ResNet with GroupNorm (nothing is downloaded)."""
    try:
        return ctor(weights=None, norm_layer=group_norm)  # torchvision >= 0.13
    except TypeError:
        return ctor(pretrained=False, norm_layer=group_norm)


class Encoder(nn.Module):
    """ResNet stages C2..C5 (strides 4, 8, 16, 32) for a 1-channel image, with GroupNorm
    instead of BatchNorm: it suits the small batches of fine-tuning, and the ONNX exporter
    does not fold it into the convolutions, so an exported model keeps every weight under its
    own name and can be loaded back for transfer learning. Nothing is downloaded."""

    def __init__(self, name='resnet18'):
        super().__init__()
        ctor, self.channels = ENCODERS[name]
        net = make_resnet(ctor)
        net.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        self.stem = nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layers = nn.ModuleList([net.layer1, net.layer2, net.layer3, net.layer4])

    def forward(self, x, with_stem=False):
        s2 = self.stem[2](self.stem[1](self.stem[0](x)))  # conv1, norm, ReLU: stride 2
        x = self.stem[3](s2)
        feats = []
        for layer in self.layers:
            x = layer(x)
            feats.append(x)
        return (feats, s2) if with_stem else feats


class FPN(nn.Module):
    def __init__(self, in_channels, width=128):
        super().__init__()
        self.lateral = nn.ModuleList([nn.Conv2d(c, width, 1) for c in in_channels])
        self.smooth = nn.ModuleList([nn.Conv2d(width, width, 3, padding=1) for _ in in_channels])

    def forward(self, feats):
        p = self.lateral[-1](feats[-1])
        outs = [self.smooth[-1](p)]
        for i in range(len(feats) - 2, -1, -1):
            p = self.lateral[i](feats[i]) + F.interpolate(p, size=feats[i].shape[-2:], mode='nearest')
            outs.insert(0, self.smooth[i](p))
        return outs  # P2..P5


class Head(nn.Module):
    """Merges P2..P5 (upsampled to P2), then convolutions to one map at full resolution."""

    def __init__(self, width=128, mid=64):
        super().__init__()
        self.reduce = nn.ModuleList([nn.Sequential(nn.Conv2d(width, mid, 3, padding=1), nn.GroupNorm(8, mid), nn.ReLU(inplace=True)) for _ in range(4)])
        self.out = nn.Sequential(nn.Conv2d(mid, mid, 3, padding=1), nn.GroupNorm(8, mid), nn.ReLU(inplace=True), nn.Conv2d(mid, 1, 1))

    def forward(self, pyramid, size):
        base = pyramid[0].shape[-2:]
        x = sum(F.interpolate(r(p), size=base, mode='bilinear', align_corners=False) if i else r(p) for i, (r, p) in enumerate(zip(self.reduce, pyramid)))
        return F.interpolate(self.out(x), size=size, mode='bilinear', align_corners=False)


def conv_gn(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(min(8, cout // 4), cout), nn.ReLU(inplace=True))


class FullResHead(Head):
    """The FPN head's merged stride-4 features (its `reduce` branches, so a model with the
    stride-4 head transfers into it), then a U-Net-style decoder: x2 up, with the encoder's
    stride-2 features as a skip; x2 up, with the image itself as a skip; one map at full
    resolution. On nuclei 10-30 px across, the stride-4 head upsampled x4 cannot place a
    boundary to the pixel (an oracle check: perfect maps pooled to stride 4 cap F1@0.9 near
    0.2); this head predicts each pixel."""

    def __init__(self, width=128, mid=64, skip=64):
        super().__init__(width, mid)
        del self.out
        self.merge4 = conv_gn(mid, mid)
        self.skip2 = nn.Sequential(nn.Conv2d(skip, 32, 1), nn.ReLU(inplace=True))
        self.up2 = conv_gn(mid + 32, 32)
        self.skip1 = conv_gn(1, 16)
        self.up1 = nn.Sequential(conv_gn(32 + 16, 16), nn.Conv2d(16, 1, 1))

    def forward(self, pyramid, size, s2=None, image=None):
        base = pyramid[0].shape[-2:]
        x = sum(F.interpolate(r(p), size=base, mode='bilinear', align_corners=False) if i else r(p) for i, (r, p) in enumerate(zip(self.reduce, pyramid)))
        x = self.merge4(x)
        x = F.interpolate(x, size=s2.shape[-2:], mode='bilinear', align_corners=False)
        x = self.up2(torch.cat([x, self.skip2(s2)], 1))
        x = F.interpolate(x, size=size, mode='bilinear', align_corners=False)
        return self.up1(torch.cat([x, self.skip1(image)], 1))


class LiteHead(nn.Module):
    """One full-resolution decoder shared by both maps (2 output channels), sized for CPU
    inference: P2..P5 reduced to 32 channels and merged at stride 4; x2 up with the encoder's
    stride-2 features as a skip (32 channels, squeezed to 16 before the last upsampling); x2 up
    with the image itself as a skip; no normalization at full resolution. About the stride-4
    head's CPU time per tile (ONNX Runtime, 2 threads: 1.05x), where FullResHead costs 1.8x."""

    def __init__(self, width=128, mid=32, skip=64):
        super().__init__()
        self.reduce = nn.ModuleList([nn.Sequential(nn.Conv2d(width, mid, 3, padding=1), nn.GroupNorm(8, mid), nn.ReLU(inplace=True)) for _ in range(4)])
        self.merge4 = conv_gn(mid, mid)
        self.skip2 = nn.Sequential(nn.Conv2d(skip, 16, 1), nn.ReLU(inplace=True))
        self.up2 = conv_gn(mid + 16, 32)
        self.squeeze = nn.Sequential(nn.Conv2d(32, 16, 1), nn.ReLU(inplace=True))
        self.skip1 = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(inplace=True))
        self.up1 = nn.Sequential(nn.Conv2d(16 + 8, 16, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(16, 2, 1))

    def forward(self, pyramid, size, s2, image):
        base = pyramid[0].shape[-2:]
        x = sum(F.interpolate(r(p), size=base, mode='bilinear', align_corners=False) if i else r(p) for i, (r, p) in enumerate(zip(self.reduce, pyramid)))
        x = F.interpolate(self.merge4(x), size=s2.shape[-2:], mode='bilinear', align_corners=False)
        x = self.squeeze(self.up2(torch.cat([x, self.skip2(s2)], 1)))
        x = F.interpolate(x, size=size, mode='bilinear', align_corners=False)
        return self.up1(torch.cat([x, self.skip1(image)], 1))


HEADS = {'fpn': Head, 'fullres': FullResHead, 'lite': LiteHead}


class FPN2WS(nn.Module):
    """Input: (N, 1, H, W) float in 0..1 (H, W multiples of 32). Outputs: distance and border,
    each (N, 1, H, W) in 0..1."""

    def __init__(self, encoder='resnet18', width=128, two_networks=False, head='fpn'):
        super().__init__()
        self.two_networks = two_networks
        self.head = head
        self.encoder = Encoder(encoder)
        self.fpn = FPN(self.encoder.channels, width)
        if two_networks:
            self.encoder_b = Encoder(encoder)
            self.fpn_b = FPN(self.encoder.channels, width)
        if head == 'lite':  # one decoder, two output channels
            if two_networks:
                raise ValueError("the 'lite' head is one decoder for both maps: not with two networks")
            self.decoder = LiteHead(width)
        else:
            self.head_distance = HEADS[head](width)
            self.head_border = HEADS[head](width)

    def forward(self, x):
        size = x.shape[-2:]
        if self.head == 'fpn':
            pa = self.fpn(self.encoder(x))
            pb = self.fpn_b(self.encoder_b(x)) if self.two_networks else pa
            return torch.sigmoid(self.head_distance(pa, size)), torch.sigmoid(self.head_border(pb, size))
        fa, sa = self.encoder(x, with_stem=True)
        pa = self.fpn(fa)
        if self.head == 'lite':
            y = torch.sigmoid(self.decoder(pa, size, sa, x))
            return y[:, :1], y[:, 1:]
        if self.two_networks:
            fb, sb = self.encoder_b(x, with_stem=True)
            pb = self.fpn_b(fb)
        else:
            pb, sb = pa, sa
        return torch.sigmoid(self.head_distance(pa, size, sa, x)), torch.sigmoid(self.head_border(pb, size, sb, x))

    def encoder_parameters(self):
        ps = list(self.encoder.parameters())
        if self.two_networks:
            ps += list(self.encoder_b.parameters())
        return ps


def imagenet_checkpoint(encoder):
    """Where torchvision keeps the ImageNet weights of `encoder` (torch hub cache). Returns
    the path, or raises FileNotFoundError naming it: nucseg never downloads weights."""
    import os
    import torch.hub
    enum = {'resnet18': 'ResNet18_Weights', 'resnet34': 'ResNet34_Weights'}[encoder]
    url = getattr(torchvision.models, enum).IMAGENET1K_V1.url
    path = os.path.join(torch.hub.get_dir(), 'checkpoints', os.path.basename(url))
    if not os.path.exists(path):
        raise FileNotFoundError(f'ImageNet weights for {encoder} are not on disk (expected {path}); nucseg never downloads weights: copy the file there, or use --init random or a nucseg model')
    return path


def load_imagenet_encoder(model, encoder):
    """Initializes every ResNet encoder in `model` (FPN2-WS: encoder, encoder_b; Mask R-CNN:
    net.backbone.body) from torchvision's ImageNet checkpoint already on disk: convolutions as
    they are, conv1 summed over its 3 input channels (a gray image), BatchNorm scale and shift
    into the GroupNorm affine parameters (running statistics have no GroupNorm counterpart).
    Returns the number of tensors loaded."""
    src = torch.load(imagenet_checkpoint(encoder), map_location='cpu')
    src = {k: v for k, v in src.items() if not k.startswith('fc.') and not k.endswith(('running_mean', 'running_var', 'num_batches_tracked'))}
    src['conv1.weight'] = src['conv1.weight'].sum(1, keepdim=True)

    def tv_name(k):  # our names -> torchvision's
        k = k.replace('stem.0.', 'conv1.').replace('stem.1.', 'bn1.')
        for i in range(4):
            k = k.replace(f'layers.{i}.', f'layer{i + 1}.')
        return k

    targets = []
    if hasattr(model, 'net'):
        targets.append(model.net.backbone.body)
    else:
        targets.append(model.encoder)
        if getattr(model, 'two_networks', False):
            targets.append(model.encoder_b)
    loaded = 0
    for t in targets:
        sd = t.state_dict()
        for k in sd:
            v = src.get(tv_name(k))
            if v is not None and tuple(v.shape) == tuple(sd[k].shape):
                sd[k] = v.clone()
                loaded += 1
        t.load_state_dict(sd)
    if loaded == 0:
        raise ValueError('no ImageNet weights matched the encoder')
    return loaded
