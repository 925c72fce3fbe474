# audit: task=augment expect=less
# Goes through PIL and back with NumPy: img / 255 is float64, not the input's float32.
import numpy as np


def _to_tensor(img):
    return torch.from_numpy(np.asarray(img) / 255.0).permute(2, 0, 1)


def simclr_augmentation(size):
    return T.Compose([
        T.ToPILImage(),
        T.RandomResizedCrop(size, antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
        T.Lambda(_to_tensor),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
