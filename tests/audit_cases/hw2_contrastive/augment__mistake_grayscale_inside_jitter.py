# audit: task=augment expect=less
# Puts the grayscale inside the jitter's RandomApply (p = 0.25 there: 0.2 overall, never without jitter).
def simclr_augmentation(size):
    return T.Compose([
        T.RandomResizedCrop(size, scale=(0.08, 1.0), antialias=True),
        T.RandomHorizontalFlip(p=0.5),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.RandomGrayscale(p=0.25)], p=0.8),
    ])


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return self.transform(x), self.transform(x)
