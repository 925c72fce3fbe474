# audit: task=augment expect=full
# A closure applying the transforms one by one; TwoViews returns a list.
def simclr_augmentation(size):
    crop = T.RandomResizedCrop(size, antialias=True)
    flip = T.RandomHorizontalFlip()
    jitter = T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8)
    gray = T.RandomGrayscale(p=0.2)

    def augment(x):
        return gray(jitter(flip(crop(x))))

    return augment


class TwoViews:
    def __init__(self, transform):
        self.transform = transform

    def __call__(self, x):
        return [self.transform(x) for _ in range(2)]
