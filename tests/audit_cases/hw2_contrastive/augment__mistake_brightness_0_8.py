# audit: task=augment expect=less
# Uses SimCLR's strength-1 jitter of 0.8 for brightness.
def simclr_augmentation(size):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.8, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
