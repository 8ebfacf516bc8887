"""Training data for FPN2-WS: the HDF5 sets written by `nucseg augment` (schema
nucseg.augment/1), read lazily with h5py, one ROI per chunk."""
import json

import h5py
import numpy as np
import torch
from torch.utils.data import Dataset


class AugmentedSet(Dataset):
    """ROIs of one split (0 = train, 1 = validation) of a nucseg augment HDF5 file. Items are
    (image, distance, border) float tensors of shape (1, R, R), or with labels=True (Mask
    R-CNN) (image (1, R, R) float, label (R, R) int64)."""

    def __init__(self, path, split, limit=None, labels=False):
        self.path = path
        self.labels = labels
        with h5py.File(path, 'r') as f:
            schema = f.attrs.get('schema')
            if schema != 'nucseg.augment/1':
                raise ValueError(f'{path}: not a nucseg augment file (schema {schema!r})')
            for k in ('image', 'label', 'split') if labels else ('image', 'distance', 'border', 'split'):
                if k not in f:
                    raise ValueError(f'{path}: dataset {k!r} is missing')
            self.index = np.nonzero(f['split'][:] == split)[0]
            self.roi = int(f['image'].shape[-1])
            self.config = json.loads(f.attrs['config'])
            # a uint16 image holds round(value x 4095); image_scale brings it back to 0..1
            self.image_scale = float(f.attrs['image_scale']) if 'image_scale' in f.attrs else 1.0
            self.sources = json.loads(f.attrs['sources'])
        if limit is not None:
            self.index = self.index[:limit]
        self._f = None

    def __len__(self):
        return len(self.index)

    def __getitem__(self, i):
        if self._f is None:  # opened per worker process
            self._f = h5py.File(self.path, 'r')
        j = int(self.index[i])
        t = lambda k: torch.from_numpy(np.asarray(self._f[k][j], dtype=np.float32))[None]
        image = t('image') * self.image_scale if self.image_scale != 1.0 else t('image')
        if self.labels:
            return image, torch.from_numpy(np.asarray(self._f['label'][j], dtype=np.int64))
        return image, t('distance'), t('border')
