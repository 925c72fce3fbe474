# audit: task=rotation expect=full
# The official RotNet code (gidariss/FeatureLearningRotNet, dataloader.py): `rotate_img` on an
# (H, W, C) numpy image with flipud/fliplr/transpose, the four rotations of an image stacked with
# labels LongTensor([0, 1, 2, 3]), then the batch viewed as (B * 4, C, H, W) in the training loop.
# Adapted: tensors in and out (numpy via .numpy()), and the ValueError the task asks for.
import numpy as np


def rotate_img(img, rot):
    if rot == 0:  # 0 degrees rotation
        return img
    elif rot == 90:  # 90 degrees rotation
        return np.flipud(np.transpose(img, (1, 0, 2)))
    elif rot == 180:  # 180 degrees rotation
        return np.fliplr(np.flipud(img))
    elif rot == 270:  # 270 degrees rotation / or -90
        return np.transpose(np.flipud(img), (1, 0, 2))
    else:
        raise ValueError("rotation should be 0, 90, 180, or 270 degrees")


def rotate_batch(images):
    if images.dim() != 4 or images.shape[-2] != images.shape[-1]:
        raise ValueError("square images expected")
    per_image = []
    for img0 in images.permute(0, 2, 3, 1).numpy():  # (H, W, C)
        rotated_imgs = [
            torch.from_numpy(rotate_img(img0, rot).copy()).permute(2, 0, 1) for rot in (0, 90, 180, 270)
        ]
        per_image.append(torch.stack(rotated_imgs, dim=0))  # (4, C, H, W)
    data = torch.stack(per_image)  # (B, 4, C, H, W)
    batch_size, rotations = data.shape[:2]
    labels = torch.LongTensor([0, 1, 2, 3]).repeat(batch_size)
    return data.view([batch_size * rotations] + list(data.size()[2:])), labels
